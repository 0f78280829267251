-- schema-2.x-upgraded.sql: the same tables in an Apache Airflow SQLite metadata DB that
-- reached 2.9.2 through the MIGRATIONS (not created fresh), alembic head 686269002441.
-- 2.10.0 adds no change to connection, variable or trigger (it adds log.try_number and
-- idx_log_task_instance, migration 41b3bc7c0272), so these two tables also hold for 2.10.
--
-- How each table got its shape (apache/airflow migrations, read at main e0b55c21e2 and
-- at c8bc42c383; replayed here with alembic 1.8.1 + SQLAlchemy 1.4.46 on SQLite 3.40 and
-- sqlite_master.sql copied out):
--   variable    0000_2_6_2_squashed_migrations.py op.create_table: "key" VARCHAR(250),
--               val TEXT and is_encrypted BOOLEAN all NULLABLE; description before
--               is_encrypted. (A DB created by the 2.3-2.6 ORM has the same layout.)
--   connection  0000_2_6_2 created it with login VARCHAR(500), password VARCHAR(5000);
--               0006_2_8_0_make_connection_login_password_text (bd5dfbe21f88) made both
--               TEXT; 0017_2_9_2_fix_inconsistency_between_ORM_and_migration_files
--               (686269002441) rebuilt it on SQLite with a literal CREATE TABLE
--               connection_new (id, conn_id, conn_type, host, schema, login TEXT,
--               password TEXT, port, extra, is_encrypted, is_extra_encrypted,
--               description VARCHAR(5000)), INSERT ... SELECT *, DROP, ALTER TABLE RENAME,
--               then batch_alter_table(...).create_unique_constraint, which makes alembic
--               rebuild the table once more from reflection. Hence the final text below is
--               SQLAlchemy's, in connection_new's column order, and the table name is
--               quoted ("connection") because SQLite's RENAME writes it that way.
--               Types: login/password are TEXT, NOT the pre-2.8 VARCHAR(500)/VARCHAR(5000):
--               the 2.9.2 migration itself writes TEXT, so no DB at this head can have the
--               VARCHAR flavour. (A DB still at <= 2.7.x heads, e.g. 405de8318b3a, would
--               have "login VARCHAR(500)" and "password VARCHAR(5000)"; SQLite gives both
--               TEXT affinity and enforces no length, so readers see no difference.)
--   trigger     0000_2_6_2 created kwargs as JSON; 0015_2_9_0_update_trigger_kwargs_type
--               (1949afb29106) altered it to TEXT through a batch rebuild (quoted name).
--   log         0000_2_6_2 (event VARCHAR(30)), 0005_2_8_0 owner_display_name (appended),
--               0010_2_9_0 run_id (appended) + event VARCHAR(60) through a batch rebuild.
-- Column ORDER differs from a fresh DB (connection: description last, extra before the
-- flags; log: owner_display_name and run_id last), and every flag is nullable: always
-- address columns by name and treat a NULL flag as false.
-- Not covered: a DB born before 2.3 through the 1.x migration chain has variable as
-- (id, key, val, is_encrypted, description): is_encrypted (1.7.0) and description (2.1.0)
-- were appended with ALTER TABLE ADD COLUMN, so its stored text differs again.
-- Hazard (INFERRED from the code, not run on a real Airflow): 0017 copies rows with a
-- positional INSERT ... SELECT *. A SQLite DB that `airflow db init` built from the
-- 2.3-2.8 ORM has description as the 4th column, so on upgrade to 2.9.2 the values land
-- one column over: host=description, schema=host, login=schema, password=login,
-- port=password, extra=port, description=extra. Such a DB shows undecryptable
-- passwords and a token in "port"; a reader should not crash on it.
-- Load with: sqlite3 airflow.db < data/schema-2.x-upgraded.sql

CREATE TABLE "connection" (
	id INTEGER NOT NULL, 
	conn_id VARCHAR(250) NOT NULL, 
	conn_type VARCHAR(500) NOT NULL, 
	host VARCHAR(500), 
	schema VARCHAR(500), 
	login TEXT, 
	password TEXT, 
	port INTEGER, 
	extra TEXT, 
	is_encrypted BOOLEAN, 
	is_extra_encrypted BOOLEAN, 
	description VARCHAR(5000), 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id)
);

CREATE TABLE variable (
	id INTEGER NOT NULL, 
	"key" VARCHAR(250), 
	val TEXT, 
	description TEXT, 
	is_encrypted BOOLEAN, 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_uq UNIQUE ("key")
);

CREATE TABLE "trigger" (
	id INTEGER NOT NULL, 
	classpath VARCHAR(1000) NOT NULL, 
	kwargs TEXT NOT NULL, 
	created_date TIMESTAMP NOT NULL, 
	triggerer_id INTEGER, 
	CONSTRAINT trigger_pkey PRIMARY KEY (id)
);

CREATE TABLE "log" (
	id INTEGER NOT NULL, 
	dttm TIMESTAMP, 
	dag_id VARCHAR(250), 
	task_id VARCHAR(250), 
	map_index INTEGER, 
	event VARCHAR(60), 
	execution_date TIMESTAMP, 
	owner VARCHAR(500), 
	extra TEXT, 
	owner_display_name VARCHAR(500), 
	run_id VARCHAR(250), 
	CONSTRAINT log_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_log_dag ON log (dag_id);
CREATE INDEX idx_log_dttm ON log (dttm);
CREATE INDEX idx_log_event ON log (event);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('686269002441');
