#!/usr/bin/python3
"""fab_db.py: FAB's users, roles and permissions, made as Airflow makes them.

A test fixture for ferncon's role_source = airflow (doc/design.md section 4,
"Roles from Airflow"). It adds to an Airflow metadata DB (an SQLite file, or
a PostgreSQL or MySQL URL; "-" reads AIRFLOW_DB_URL) the seven tables of FAB's auth
manager with the columns, types and constraint names of the Airflow models
(providers/fab/src/airflow/providers/fab/auth_manager/models/__init__.py:
Action = ab_permission, Resource = ab_view_menu, Role = ab_role, Permission =
ab_permission_view, User = ab_user, the association tables ab_user_role and
ab_permission_view_role; Airflow 2.10 has the same tables in
airflow/auth/managers/fab/models, the 3.x provider adds ON DELETE CASCADE
on the association tables: --layout fab3), then the built-in roles with
their permissions on Connections and Variables as Airflow's ROLE_CONFIGS
give them (only Op and Admin hold any: OP_PERMISSIONS in
providers/fab/.../security_manager/override.py), some permissions on other
resources, two custom roles, and users:

  user      roles        password (hash)
  admin     Admin        admin-pw  (werkzeug generate_password_hash: Debian's
                                   werkzeug 2.2 default, pbkdf2:sha256:260000)
  op        Op           op-pw     (scrypt:32768:8:1 by hashlib.scrypt, as
                                   werkzeug 3 makes it)
  nocount   Op           nocount-pw (pbkdf2:sha256 with no count: werkzeug's
                                   default count, 260000 in 2.2)
  viewer    Viewer       viewer-pw
  reader    ConnReader   reader-pw  (can_read on Connections only)
  editor    ConnEditor   editor-pw  (can_read, can_create, can_edit on
                                   Connections; no can_delete)
  gone      Admin        gone-pw   inactive (active false)
  ldap      Op           none      (password NULL, as an LDAP user)

Run with the Debian python3 that has python3-werkzeug (scripts/install-deps).
"""

import hashlib
import os
import secrets
import sqlite3
import string
import sys

from werkzeug.security import generate_password_hash

CASCADE = " ON DELETE CASCADE"


def ddl(kind, cascade):
    """The CREATE TABLEs as SQLAlchemy emits them for KIND (sqlite, pg, my).

    On MySQL an Integer primary key is AUTO_INCREMENT, Boolean is BOOL and
    DateTime DATETIME; username has no collation there (the model's NOCASE
    variant is for SQLite only): the DB's own utf8mb4_unicode_ci compares
    without case, as Airflow's docs have the DB created.
    """
    pg = kind == "pg"
    ident = {"pg": "SERIAL NOT NULL",
             "my": "INTEGER NOT NULL AUTO_INCREMENT"}.get(kind, "INTEGER NOT NULL")
    when = "TIMESTAMP WITHOUT TIME ZONE" if pg else "DATETIME"
    nocase = ' COLLATE "NOCASE"' if kind == "sqlite" else ""
    flag = "BOOL" if kind == "my" else "BOOLEAN"
    c = CASCADE if cascade else ""
    out = [
        f"CREATE TABLE ab_permission (id {ident}, name VARCHAR(100) NOT NULL, "
        "CONSTRAINT ab_permission_pkey PRIMARY KEY (id), "
        "CONSTRAINT ab_permission_name_uq UNIQUE (name))",
        f"CREATE TABLE ab_view_menu (id {ident}, name VARCHAR(250) NOT NULL, "
        "CONSTRAINT ab_view_menu_pkey PRIMARY KEY (id), "
        "CONSTRAINT ab_view_menu_name_uq UNIQUE (name))",
        f"CREATE TABLE ab_role (id {ident}, name VARCHAR(64) NOT NULL, "
        "CONSTRAINT ab_role_pkey PRIMARY KEY (id), "
        "CONSTRAINT ab_role_name_uq UNIQUE (name))",
        f"CREATE TABLE ab_user (id {ident}, first_name VARCHAR(256) NOT NULL, "
        f"last_name VARCHAR(256) NOT NULL, username VARCHAR(512){nocase} NOT NULL, "
        f"password VARCHAR(256), active {flag}, email VARCHAR(512) NOT NULL, "
        f"last_login {when}, login_count INTEGER, fail_login_count INTEGER, "
        f"created_on {when}, changed_on {when}, created_by_fk INTEGER, "
        "changed_by_fk INTEGER, CONSTRAINT ab_user_pkey PRIMARY KEY (id), "
        "CONSTRAINT ab_user_username_uq UNIQUE (username), "
        "CONSTRAINT ab_user_email_uq UNIQUE (email), "
        "CONSTRAINT ab_user_created_by_fk_fkey FOREIGN KEY(created_by_fk) "
        "REFERENCES ab_user (id), "
        "CONSTRAINT ab_user_changed_by_fk_fkey FOREIGN KEY(changed_by_fk) "
        "REFERENCES ab_user (id))",
        f"CREATE TABLE ab_permission_view (id {ident}, permission_id INTEGER, "
        "view_menu_id INTEGER, CONSTRAINT ab_permission_view_pkey PRIMARY KEY (id), "
        "CONSTRAINT ab_permission_view_permission_id_view_menu_id_uq "
        "UNIQUE (permission_id, view_menu_id), "
        "CONSTRAINT ab_permission_view_permission_id_fkey FOREIGN KEY(permission_id) "
        "REFERENCES ab_permission (id), "
        "CONSTRAINT ab_permission_view_view_menu_id_fkey FOREIGN KEY(view_menu_id) "
        "REFERENCES ab_view_menu (id))",
        f"CREATE TABLE ab_user_role (id {ident}, user_id INTEGER, role_id INTEGER, "
        "CONSTRAINT ab_user_role_pkey PRIMARY KEY (id), "
        "CONSTRAINT ab_user_role_user_id_role_id_uq UNIQUE (user_id, role_id), "
        "CONSTRAINT ab_user_role_user_id_fkey FOREIGN KEY(user_id) "
        f"REFERENCES ab_user (id){c}, "
        "CONSTRAINT ab_user_role_role_id_fkey FOREIGN KEY(role_id) "
        f"REFERENCES ab_role (id){c})",
        f"CREATE TABLE ab_permission_view_role (id {ident}, permission_view_id INTEGER, "
        "role_id INTEGER, CONSTRAINT ab_permission_view_role_pkey PRIMARY KEY (id), "
        "CONSTRAINT ab_permission_view_role_permission_view_id_role_id_uq "
        "UNIQUE (permission_view_id, role_id), "
        "CONSTRAINT ab_permission_view_role_permission_view_id_fkey "
        f"FOREIGN KEY(permission_view_id) REFERENCES ab_permission_view (id){c}, "
        "CONSTRAINT ab_permission_view_role_role_id_fkey FOREIGN KEY(role_id) "
        f"REFERENCES ab_role (id){c})",
    ]
    if pg:
        # The provider's before_create listener on PostgreSQL.
        out.append("CREATE UNIQUE INDEX idx_ab_user_username ON ab_user "
                   "(lower(username))")
    return out


CRUD = ("can_create", "can_read", "can_edit", "can_delete", "menu_access")
OP = [(a, r) for r in ("Connections", "Variables") for a in CRUD]
VIEWER = [("can_read", "DAGs"), ("can_read", "DAG Runs"), ("can_read", "Task Logs"),
          ("menu_access", "Browse")]
USER = VIEWER + [("can_edit", "DAGs"), ("can_delete", "DAGs"), ("can_create", "DAG Runs")]
ROLES = {
    "Public": [],
    "Viewer": VIEWER,
    "User": USER,
    "Op": USER + OP + [("can_read", "Configurations"), ("menu_access", "Admin")],
    "Admin": USER + OP + [("can_read", "Configurations"), ("menu_access", "Admin"),
                          ("can_read", "Roles"), ("can_edit", "Roles")],
    "ConnReader": [("can_read", "Connections"), ("menu_access", "Connections")],
    "ConnEditor": [("can_read", "Connections"), ("can_create", "Connections"),
                   ("can_edit", "Connections"), ("menu_access", "Connections")],
}


def salt16():
    # werkzeug gen_salt(16): SALT_CHARS = letters and digits
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))


def scrypt_hash(password):
    """werkzeug 3's default: scrypt:32768:8:1$salt$hex, dklen 64."""
    salt = salt16()
    n, r, p = 32768, 8, 1
    h = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p,
                       maxmem=132 * n * r * p, dklen=64)
    return f"scrypt:{n}:{r}:{p}${salt}${h.hex()}"


def nocount_hash(password):
    salt = salt16()
    h = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 260000)
    return f"pbkdf2:sha256${salt}${h.hex()}"


USERS = [
    ("admin", "Admin", lambda: generate_password_hash("admin-pw"), True),
    ("op", "Op", lambda: scrypt_hash("op-pw"), True),
    ("nocount", "Op", lambda: nocount_hash("nocount-pw"), True),
    ("viewer", "Viewer", lambda: generate_password_hash("viewer-pw"), True),
    ("reader", "ConnReader", lambda: generate_password_hash("reader-pw"), True),
    ("editor", "ConnEditor", lambda: generate_password_hash("editor-pw"), True),
    ("gone", "Admin", lambda: generate_password_hash("gone-pw"), False),
    ("ldap", "Op", lambda: None, True),
]


def main():
    args = sys.argv[1:]
    cascade = False
    if args[:2] == ["--layout", "fab3"]:
        cascade, args = True, args[2:]
    elif args[:2] == ["--layout", "2.10"]:
        args = args[2:]
    target = args[0]
    if target == "-":
        target = os.environ["AIRFLOW_DB_URL"]
    scheme = target.split("://", 1)[0].split("+", 1)[0]
    kind = {"postgresql": "pg", "postgres": "pg", "mysql": "my"}.get(scheme, "sqlite")
    pg = kind == "pg"
    if pg:
        import psycopg2
        conn = psycopg2.connect("postgresql://" + target.split("://", 1)[1])
        ph = "%s"
    elif kind == "my":
        # PyMySQL as mysql+pymysql connects (tests/airflow_db.py's MyDB).
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from airflow_db import MyDB
        conn = MyDB(target).conn
        ph = "%s"
    else:
        conn = sqlite3.connect(target)
        ph = "?"
    cur = conn.cursor()
    for stmt in ddl(kind, cascade):
        cur.execute(stmt)

    def insert(table, cols, vals):
        sql = "INSERT INTO %s (%s) VALUES (%s)" % (table, ", ".join(cols),
                                                    ", ".join([ph] * len(vals)))
        if pg:
            cur.execute(sql + " RETURNING id", vals)
            return cur.fetchone()[0]
        cur.execute(sql, vals)
        return cur.lastrowid

    actions, resources, pvs, roles = {}, {}, {}, {}
    for role, perms in ROLES.items():
        roles[role] = insert("ab_role", ["name"], [role])
        for a, r in perms:
            if a not in actions:
                actions[a] = insert("ab_permission", ["name"], [a])
            if r not in resources:
                resources[r] = insert("ab_view_menu", ["name"], [r])
            if (a, r) not in pvs:
                pvs[(a, r)] = insert("ab_permission_view",
                                     ["permission_id", "view_menu_id"],
                                     [actions[a], resources[r]])
            insert("ab_permission_view_role", ["permission_view_id", "role_id"],
                   [pvs[(a, r)], roles[role]])
    for name, role, pw, active in USERS:
        uid = insert("ab_user", ["first_name", "last_name", "username", "password",
                                 "active", "email", "login_count", "fail_login_count"],
                     [name, "Test", name, pw(), active if pg else int(active),
                      name + "@example.com", 0, 0])
        insert("ab_user_role", ["user_id", "role_id"], [uid, roles[role]])
    conn.commit()
    conn.close()


if __name__ == "__main__":
    main()
