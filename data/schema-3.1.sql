-- schema-3.1.sql: the tables ferncon touches in a FRESH Apache Airflow 3.1.0 SQLite
-- metadata DB (Base.metadata.create_all() + alembic stamp head cc92b33c6709).
-- Since 3.0 Airflow's SQLite connect hook also runs PRAGMA journal_mode=WAL (and
-- foreign_keys=ON); that is a property of the opened file, not of this schema.
--
-- Sources (apache/airflow main at 32995675d0, 2025-09-23, the commit that added
-- 0085_3_1_0_downgrade_serialized_dag_version_to_v2.py = revision cc92b33c6709, the 3.1.0
-- head per airflow-core/src/airflow/utils/db.py _REVISION_HEADS_MAP):
--   airflow-core/src/airflow/models/team.py        team: id UUIDType(binary=False) PK,
--                                                  name String(50) unique NOT NULL
--   airflow-core/src/airflow/models/connection.py  + team_id UUIDType FK team.id, nullable
--   airflow-core/src/airflow/models/variable.py    + team_id UUIDType FK team.id, nullable
--   airflow-core/src/airflow/models/trigger.py     unchanged from 2.10
--   airflow-core/src/airflow/models/log.py         execution_date renamed logical_date;
--                                                  idx_log_dag dropped
--   migrations/versions/0083_3_1_0_add_teams.py    team_id added as sa.Uuid (a migrated
--                                                  DB appends team_id as the LAST column)
-- These models still use Column(...) (3.1 allows SQLAlchemy 1.4.49+ or 2.x), so
-- nullability is explicit and the flags stay nullable. A UUID is CHAR(32) on SQLite for
-- both sqlalchemy_utils UUIDType(binary=False) and sa.Uuid: 32 hex digits, no dashes.
-- Text generated with SQLAlchemy 1.4.46 (+ sqlalchemy_utils) and copied from sqlite_master;
-- keep the ", " trailing spaces.
-- Load with: sqlite3 airflow.db < data/schema-3.1.sql

CREATE TABLE team (
	id CHAR(32) NOT NULL, 
	name VARCHAR(50) NOT NULL, 
	CONSTRAINT team_pkey PRIMARY KEY (id), 
	CONSTRAINT team_name_uq UNIQUE (name)
);

CREATE TABLE connection (
	id INTEGER NOT NULL, 
	conn_id VARCHAR(250) NOT NULL, 
	conn_type VARCHAR(500) NOT NULL, 
	description VARCHAR(5000), 
	host VARCHAR(500), 
	schema VARCHAR(500), 
	login TEXT, 
	password TEXT, 
	port INTEGER, 
	is_encrypted BOOLEAN, 
	is_extra_encrypted BOOLEAN, 
	team_id CHAR(32), 
	extra TEXT, 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id), 
	CONSTRAINT connection_team_id_fkey FOREIGN KEY(team_id) REFERENCES team (id)
);

CREATE TABLE variable (
	id INTEGER NOT NULL, 
	"key" VARCHAR(250), 
	val TEXT, 
	description TEXT, 
	is_encrypted BOOLEAN, 
	team_id CHAR(32), 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_uq UNIQUE ("key"), 
	CONSTRAINT variable_team_id_fkey FOREIGN KEY(team_id) REFERENCES team (id)
);

CREATE TABLE "trigger" (
	id INTEGER NOT NULL, 
	classpath VARCHAR(1000) NOT NULL, 
	kwargs TEXT NOT NULL, 
	created_date TIMESTAMP NOT NULL, 
	triggerer_id INTEGER, 
	CONSTRAINT trigger_pkey PRIMARY KEY (id)
);

CREATE TABLE log (
	id INTEGER NOT NULL, 
	dttm TIMESTAMP, 
	dag_id VARCHAR(250), 
	task_id VARCHAR(250), 
	map_index INTEGER, 
	event VARCHAR(60), 
	logical_date TIMESTAMP, 
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
