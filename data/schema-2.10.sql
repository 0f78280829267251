-- schema-2.10.sql: the tables ferncon touches in a FRESH Apache Airflow 2.10.0 SQLite
-- metadata DB, i.e. `airflow db migrate` on an empty DB: Base.metadata.create_all()
-- (SQLAlchemy 1.4) and then `alembic stamp head` (22ed7efa9da2, the 2.10.0 head).
--
-- Sources (apache/airflow, read at main c8bc42c383, 2024-08-07, the commit that added
-- revision 22ed7efa9da2):
--   airflow/models/base.py        naming convention (pk "<table>_pkey", uq "<table>_<cols>_uq",
--                                 ix "idx_<cols>"), ID_LEN = 250, StringID = String(250) off MySQL
--   airflow/models/connection.py  connection (description is String(5000) on SQLite)
--   airflow/models/variable.py    variable
--   airflow/models/trigger.py     trigger (kwargs = encrypted_kwargs, Text NOT NULL)
--   airflow/models/log.py         log, the audit log, with its four indexes
--   airflow/utils/sqlalchemy.py   UtcDateTime = TIMESTAMP(timezone=True) -> TIMESTAMP on SQLite
--   airflow/utils/db.py           _REVISION_HEADS_MAP "2.10.0": "22ed7efa9da2"
-- The CREATE text is what SQLAlchemy 1.4.46 emits for those models on SQLite (generated
-- and compared with sqlite_master.sql): a tab before each column, and ", " WITH A TRAILING
-- SPACE before each newline. Keep that whitespace: SQLite stores the text verbatim.
-- Only these tables: a real DB has ~50 more. Booleans are stored as 0/1; the flags are
-- nullable here, so a reader must treat NULL as false.
-- Load with: sqlite3 airflow.db < data/schema-2.10.sql

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
	extra TEXT, 
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

CREATE TABLE log (
	id INTEGER NOT NULL, 
	dttm TIMESTAMP, 
	dag_id VARCHAR(250), 
	task_id VARCHAR(250), 
	map_index INTEGER, 
	event VARCHAR(60), 
	execution_date TIMESTAMP, 
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
