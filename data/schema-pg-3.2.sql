-- schema-pg-3.2.sql: the tables ferncon touches in a FRESH Apache Airflow 3.2
-- PostgreSQL metadata DB (Base.metadata.create_all() + alembic stamp head
-- 6222ce48e289).
--
-- Sources (apache/airflow main at e0b55c21e2, 2026-03-07, __version__ 3.2.0, as for
-- schema-3.2.sql):
--   airflow-core/src/airflow/models/team.py        team: name String(50) PRIMARY KEY only
--   airflow-core/src/airflow/models/connection.py  team_name String(50) FK team.name
--                                                  ON DELETE SET NULL; flags Mapped[bool]
--   airflow-core/src/airflow/models/variable.py    key/val Mapped[str], is_encrypted
--                                                  Mapped[bool]; team_name as above
--   airflow-core/src/airflow/models/trigger.py     + queue String(256) nullable
--   airflow-core/src/airflow/models/log.py         dttm Mapped[datetime], event NOT NULL,
--                                                  logical_date, no idx_log_dag
-- 3.2 declares columns with mapped_column(): a column whose annotation is not Optional
-- and that sets no nullable= is NOT NULL (SQLAlchemy 2's rule; INFERRED, as in
-- schema-3.2.sql). Generated with SQLAlchemy 1.4.46's postgresql dialect by spelling
-- nullable=False out, which emits the same DDL as SQLAlchemy 2 does: SERIAL ids,
-- BOOLEAN flags, TIMESTAMP WITH TIME ZONE for UtcDateTime. alembic_version is alembic's
-- own table, in the search_path's first schema (see schema-pg-2.10.sql).
-- Load with: psql -v ON_ERROR_STOP=1 -d airflow -f data/schema-pg-3.2.sql

CREATE TABLE team (
	name VARCHAR(50) NOT NULL, 
	CONSTRAINT team_pkey PRIMARY KEY (name)
);

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
	is_encrypted BOOLEAN NOT NULL, 
	is_extra_encrypted BOOLEAN NOT NULL, 
	team_name VARCHAR(50), 
	extra TEXT, 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id), 
	CONSTRAINT connection_team_name_fkey FOREIGN KEY(team_name) REFERENCES team (name) ON DELETE SET NULL
);

CREATE TABLE variable (
	id SERIAL NOT NULL, 
	key VARCHAR(250) NOT NULL, 
	val TEXT NOT NULL, 
	description TEXT, 
	is_encrypted BOOLEAN NOT NULL, 
	team_name VARCHAR(50), 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_uq UNIQUE (key), 
	CONSTRAINT variable_team_name_fkey FOREIGN KEY(team_name) REFERENCES team (name) ON DELETE SET NULL
);

CREATE TABLE trigger (
	id SERIAL NOT NULL, 
	classpath VARCHAR(1000) NOT NULL, 
	kwargs TEXT NOT NULL, 
	created_date TIMESTAMP WITH TIME ZONE NOT NULL, 
	triggerer_id INTEGER, 
	queue VARCHAR(256), 
	CONSTRAINT trigger_pkey PRIMARY KEY (id)
);

CREATE TABLE log (
	id SERIAL NOT NULL, 
	dttm TIMESTAMP WITH TIME ZONE NOT NULL, 
	dag_id VARCHAR(250), 
	task_id VARCHAR(250), 
	map_index INTEGER, 
	event VARCHAR(60) NOT NULL, 
	logical_date TIMESTAMP WITH TIME ZONE, 
	run_id VARCHAR(250), 
	owner VARCHAR(500), 
	owner_display_name VARCHAR(500), 
	extra TEXT, 
	try_number INTEGER, 
	CONSTRAINT log_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_log_dttm ON log (dttm);
CREATE INDEX idx_log_event ON log (event);
CREATE INDEX idx_log_task_instance ON log (dag_id, task_id, run_id, map_index, try_number);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('6222ce48e289');
