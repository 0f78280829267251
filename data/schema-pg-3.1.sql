-- schema-pg-3.1.sql: the tables ferncon touches in a FRESH Apache Airflow 3.1.0
-- PostgreSQL metadata DB (Base.metadata.create_all() + alembic stamp head
-- cc92b33c6709): the PostgreSQL counterpart of schema-3.1.sql.
--
-- Sources (READ; apache/airflow main at 32995675d0, 2025-09-23, as for schema-3.1.sql:
-- the commit that added 0085_3_1_0_downgrade_serialized_dag_version_to_v2.py = revision
-- cc92b33c6709, the 3.1.0 head in airflow-core/src/airflow/utils/db.py _REVISION_HEADS_MAP):
--   airflow-core/src/airflow/models/base.py        naming convention as in 2.10 (pk
--                                                  "<table>_pkey", uq "<table>_<cols>_uq",
--                                                  fk "<table>_<col>_fkey", ix "idx_<cols>")
--   airflow-core/src/airflow/models/team.py        team: id UUIDType(binary=False) PK,
--                                                  name String(50) unique NOT NULL
--   airflow-core/src/airflow/models/connection.py  Column(...) as in 2.10 (description Text
--                                                  on PostgreSQL, flags nullable) + team_id
--                                                  UUIDType FK team.id (no ON DELETE),
--                                                  nullable, declared before extra
--   airflow-core/src/airflow/models/variable.py    + team_id UUIDType FK team.id, nullable
--   airflow-core/src/airflow/models/trigger.py     unchanged from 2.10 (no queue yet)
--   airflow-core/src/airflow/models/log.py         execution_date renamed logical_date;
--                                                  idx_log_dag dropped
--   migrations/versions/0083_3_1_0_add_teams.py    (a3c7f2b18d4e) team_pkey, team_name_uq;
--                                                  adds team_id with ALTER TABLE ADD COLUMN,
--                                                  so a DB MIGRATED to 3.1 has team_id as the
--                                                  LAST column of connection (after extra),
--                                                  with the 2.x-upgraded order before it
-- DERIVED: the CREATE text is what SQLAlchemy 1.4.46's postgresql dialect (with
-- sqlalchemy_utils 0.38.2) emits for those models, transcribed column by column
-- (CreateTable(...).compile(dialect=postgresql.dialect())); the same generator reproduces
-- schema-pg-2.10.sql byte for byte. UUIDType(binary=False) is native UUID on PostgreSQL
-- (sqlalchemy_utils uses postgresql.UUID there; CHAR(32) is SQLite only), so team ids
-- read back as 8-4-4-4-12 text with dashes. Integer primary keys are SERIAL, flags
-- BOOLEAN (nullable: treat NULL as false), UtcDateTime TIMESTAMP WITH TIME ZONE.
-- SQLAlchemy 2 (which 3.1 also allows) emits the same DDL for these Column(...) models.
-- alembic_version is alembic's own table, in the search_path's first schema (see
-- schema-pg-2.10.sql).
-- Load with: psql -v ON_ERROR_STOP=1 -d airflow -f data/schema-pg-3.1.sql

CREATE TABLE team (
	id UUID NOT NULL, 
	name VARCHAR(50) NOT NULL, 
	CONSTRAINT team_pkey PRIMARY KEY (id), 
	CONSTRAINT team_name_uq UNIQUE (name)
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
	is_encrypted BOOLEAN, 
	is_extra_encrypted BOOLEAN, 
	team_id UUID, 
	extra TEXT, 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id), 
	CONSTRAINT connection_team_id_fkey FOREIGN KEY(team_id) REFERENCES team (id)
);

CREATE TABLE variable (
	id SERIAL NOT NULL, 
	key VARCHAR(250), 
	val TEXT, 
	description TEXT, 
	is_encrypted BOOLEAN, 
	team_id UUID, 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_uq UNIQUE (key), 
	CONSTRAINT variable_team_id_fkey FOREIGN KEY(team_id) REFERENCES team (id)
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

INSERT INTO alembic_version (version_num) VALUES ('cc92b33c6709');
