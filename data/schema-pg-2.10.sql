-- schema-pg-2.10.sql: the tables ferncon touches in a FRESH Apache Airflow 2.10.0
-- PostgreSQL metadata DB, i.e. `airflow db migrate` on an empty database:
-- Base.metadata.create_all() (SQLAlchemy 1.4) and then `alembic stamp head`
-- (22ed7efa9da2, the 2.10.0 head).
--
-- Sources (apache/airflow main at c8bc42c383, 2024-08-07, as for schema-2.10.sql):
--   airflow/models/base.py        naming convention (pk "<table>_pkey", uq "<table>_<cols>_uq",
--                                 ix "idx_<cols>"); metadata schema = [database]
--                                 sql_alchemy_schema when it is not blank
--   airflow/models/connection.py  connection (description is Text on PostgreSQL)
--   airflow/models/variable.py    variable
--   airflow/models/trigger.py     trigger (kwargs = encrypted_kwargs, Text NOT NULL)
--   airflow/models/log.py         log, the audit log, with its four indexes
--   airflow/utils/sqlalchemy.py   UtcDateTime = TIMESTAMP(timezone=True)
-- The CREATE text is what SQLAlchemy 1.4.46's postgresql dialect emits for those
-- models (CreateTable(...).compile(dialect=postgresql.dialect())): Integer primary
-- keys are SERIAL, booleans are real BOOLEANs (nullable here, so a reader must treat
-- NULL as false), "key" and "trigger" need no quotes on PostgreSQL. alembic_version is
-- alembic's own table (PRIMARY KEY named alembic_version_pkc); Airflow's migration
-- env does not set version_table_schema, so it lives in the search_path's first
-- schema even when sql_alchemy_schema puts the other tables elsewhere.
-- Only these tables: a real DB has ~50 more.
-- Load with: psql -v ON_ERROR_STOP=1 -d airflow -f data/schema-pg-2.10.sql
-- (to load it into a schema, run SET search_path TO that_schema first)

CREATE TABLE connection (
	id SERIAL NOT NULL, 
	conn_id VARCHAR(250) NOT NULL, 
	conn_type VARCHAR(500) NOT NULL, 
	description TEXT, 
	host VARCHAR(500), 
	schema VARCHAR(500), 
	login TEXT, 
	password TEXT, 
	port INTEGER, 
	is_encrypted BOOLEAN, 
	is_extra_encrypted BOOLEAN, 
	extra TEXT, 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id)
);

CREATE TABLE variable (
	id SERIAL NOT NULL, 
	key VARCHAR(250), 
	val TEXT, 
	description TEXT, 
	is_encrypted BOOLEAN, 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_uq UNIQUE (key)
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
	map_index INTEGER, 
	event VARCHAR(60), 
	execution_date TIMESTAMP WITH TIME ZONE, 
	run_id VARCHAR(250), 
	owner VARCHAR(500), 
	owner_display_name VARCHAR(500), 
	extra TEXT, 
	try_number INTEGER, 
	CONSTRAINT log_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_log_dag ON log (dag_id);
CREATE INDEX idx_log_dttm ON log (dttm);
CREATE INDEX idx_log_event ON log (event);
CREATE INDEX idx_log_task_instance ON log (dag_id, task_id, run_id, map_index, try_number);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('22ed7efa9da2');
