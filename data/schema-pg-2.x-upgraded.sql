-- schema-pg-2.x-upgraded.sql: the tables ferncon touches in an Apache Airflow PostgreSQL
-- metadata DB that was BORN THROUGH THE MIGRATION CHAIN and upgraded to 2.9.2, alembic
-- head 686269002441: the PostgreSQL counterpart of schema-2.x-upgraded.sql.
-- "Born through the chain": `airflow initdb` / `airflow db init` of 1.10.x to 2.3.x ran
-- every migration from e3a246e0dc1 on an empty DB; creating a new DB from the ORM
-- (create_all + stamp) only came with 2.4.0 (apache/airflow 5588c3fe6e, #24156). Any such
-- DB upgraded with `airflow db upgrade` / `db migrate` to 2.9.2 ends up as below.
-- 2.10.0 changes none of connection, variable, trigger; it appends log.try_number and adds
-- idx_log_task_instance (migration 41b3bc7c0272), so these three tables hold for 2.10 too.
--
-- Sources (READ): apache/airflow tag 2.9.2, airflow/migrations/versions/:
--   connection  0001_1_5_0_current_schema (e3a246e0dc1) op.create_table: id, conn_id
--               VARCHAR(250) NULL, conn_type VARCHAR(500) NULL, host, schema, login
--               VARCHAR(500), password VARCHAR(500), port, extra VARCHAR(5000),
--               PrimaryKeyConstraint("id") with no name; then ADD COLUMN (appended):
--               0002_1_5_0 is_encrypted BOOLEAN, 0013_1_7_0 is_extra_encrypted BOOLEAN,
--               0075_2_0_0 (61ec73d9401f) description VARCHAR(5000); ALTER TYPE / NULL:
--               0050_1_10_7 password VARCHAR(5000), 0063_2_0_0 conn_type NOT NULL,
--               0064_2_0_0 conn_id NOT NULL + UNIQUE "unique_conn_id",
--               0076_2_0_0 (64a7d6477aae) description TEXT ("postgres does not allow size
--               modifier for text type"), 0079_2_0_2 (449b4072c2da) extra TEXT,
--               0131_2_8_0 (bd5dfbe21f88) login and password TEXT,
--               0142_2_9_2 (686269002441) on PostgreSQL: DROP CONSTRAINT IF EXISTS
--               unique_conn_id and connection_conn_id_uq, then ADD CONSTRAINT
--               connection_conn_id_uq UNIQUE (conn_id). Unlike SQLite, PostgreSQL gets no
--               table rebuild there, so no row moves and the column order stays the chain's.
--   variable    0001 (id, key VARCHAR(250) NULL, val TEXT, PrimaryKeyConstraint("id"),
--               UniqueConstraint("key"), both unnamed); 0014_1_7_0 is_encrypted BOOLEAN and
--               0083_2_1_0 (e165e7455d70) description TEXT, both appended.
--   trigger     0091_2_2_0 (54bebd308c5f): kwargs ExtendedJSON, whose load_dialect_impl is
--               JSON on PostgreSQL, created_date DateTime (no time zone); 0113_2_4_0
--               (44b7034f6bdc) created_date -> TIMESTAMP WITH TIME ZONE
--               (migrations/db_types.TIMESTAMP); 0140_2_9_0 (1949afb29106) kwargs -> TEXT.
--   log         0001 (id, dttm, dag_id, task_id, event VARCHAR(30), execution_date, owner);
--               appended: 0006_1_6_0 extra, 0107_2_3_0 map_index, 0130_2_8_0
--               owner_display_name, 0135_2_9_0 run_id (+ event VARCHAR(60));
--               0027_1_10_0 made dttm/execution_date TIMESTAMP WITH TIME ZONE on
--               PostgreSQL; indexes 0035_1_10_2 idx_log_dag, 0109_2_3_1 idx_log_event,
--               0123_2_6_0 idx_log_dttm.
-- Constraint names (READ + DERIVED): the pre-2.4 code had no naming convention on
-- Base.metadata (models/base.py got it in 5588c3fe6e), so the unnamed constraints of
-- 0001/0091 got PostgreSQL's default names: connection_pkey, variable_pkey, log_pkey,
-- trigger_pkey (the same as the convention's), and variable_key_key, NOT the fresh DB's
-- variable_key_uq; no later migration renames it.
-- DERIVED (run, not just read): the ops above, transcribed, were replayed with alembic
-- 1.8.1 + SQLAlchemy 1.4.46 (psycopg2) on PostgreSQL 15, and `pg_dump -s` of that DB and
-- of a DB loaded from this file are identical. The text is written in SQLAlchemy's CREATE
-- style (as the other schema-pg-*.sql), in the final column order.
-- Differences from a fresh DB (schema-pg-2.10.sql): connection has extra before the flags
-- and description last; variable has is_encrypted before description; log has extra,
-- map_index, owner_display_name, run_id at the end; the variable unique constraint is
-- variable_key_key. Every flag is nullable with no server default (an INSERT that leaves
-- it out stores NULL): address columns by name and treat a NULL flag as false.
-- Differences from the SQLite sibling: there 0142 rebuilds connection in this same
-- chain order, but its variable/log come from the 2.6.2 squashed migration's order.
-- Not covered: a PostgreSQL DB created from the ORM by 2.4-2.8 and upgraded, which has
-- the fresh order for connection, variable and trigger (login/password altered to TEXT
-- in place) and only log in the appended order.
-- alembic_version is alembic's own table (see schema-pg-2.10.sql).
-- Load with: psql -v ON_ERROR_STOP=1 -d airflow -f data/schema-pg-2.x-upgraded.sql

CREATE TABLE connection (
	id SERIAL NOT NULL, 
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
	description TEXT, 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id)
);

CREATE TABLE variable (
	id SERIAL NOT NULL, 
	key VARCHAR(250), 
	val TEXT, 
	is_encrypted BOOLEAN, 
	description TEXT, 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_key UNIQUE (key)
);

CREATE TABLE trigger (
	id SERIAL NOT NULL, 
	classpath VARCHAR(1000) NOT NULL, 
	kwargs TEXT NOT NULL, 
	created_date TIMESTAMP WITH TIME ZONE NOT NULL, 
	triggerer_id INTEGER, 
	CONSTRAINT trigger_pkey PRIMARY KEY (id)
);

CREATE TABLE log (
	id SERIAL NOT NULL, 
	dttm TIMESTAMP WITH TIME ZONE, 
	dag_id VARCHAR(250), 
	task_id VARCHAR(250), 
	event VARCHAR(60), 
	execution_date TIMESTAMP WITH TIME ZONE, 
	owner VARCHAR(500), 
	extra TEXT, 
	map_index INTEGER, 
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
