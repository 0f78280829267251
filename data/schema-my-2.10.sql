-- schema-my-2.10.sql: the tables ferncon touches in a FRESH Apache Airflow 2.10.0
-- MySQL metadata DB, i.e. `airflow db migrate` on an empty database created as
-- Airflow's docs say (CREATE DATABASE airflow_db CHARACTER SET utf8mb4 COLLATE
-- utf8mb4_unicode_ci): Base.metadata.create_all() (SQLAlchemy 1.4) and then
-- `alembic stamp head` (22ed7efa9da2, the 2.10.0 head).
--
-- Sources (apache/airflow at the 2.10.0 tag, as for schema-2.10.sql and schema-pg-2.10.sql):
--   airflow/models/connection.py  connection: description is Text(5000) on MySQL
--                                 (Text().with_variant(Text(5000), "mysql")),
--                                 login and password Text
--   airflow/models/variable.py    variable: val is MEDIUMTEXT on MySQL
--                                 (Text().with_variant(MEDIUMTEXT, "mysql"))
--   airflow/models/trigger.py     trigger (kwargs = encrypted_kwargs, Text NOT NULL)
--   airflow/utils/sqlalchemy.py   UtcDateTime = TIMESTAMP(fsp=6) on MySQL
-- The CREATE text is what SQLAlchemy 1.4's mysql dialect emits for those models
-- (CreateTable(...).compile(dialect=mysql.dialect())): Integer primary keys are
-- INTEGER NOT NULL AUTO_INCREMENT, Boolean is BOOL (TINYINT(1): 0/1, nullable here),
-- Text(5000) is TEXT(5000), reserved words (`key`, `schema`, `trigger`) in
-- backquotes. The tables take the database's utf8mb4 / utf8mb4_unicode_ci
-- (case-insensitive: 'ABC' and 'abc' are the same conn_id). InnoDB.
-- Only these tables: a real DB has ~50 more.
-- Load with: mariadb airflow < data/schema-my-2.10.sql (or mysql)

CREATE TABLE connection (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	conn_id VARCHAR(250) NOT NULL, 
	conn_type VARCHAR(500) NOT NULL, 
	description TEXT(5000), 
	host VARCHAR(500), 
	`schema` VARCHAR(500), 
	login TEXT, 
	password TEXT, 
	port INTEGER, 
	is_encrypted BOOL, 
	is_extra_encrypted BOOL, 
	extra TEXT, 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id)
)ENGINE=InnoDB;

CREATE TABLE variable (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	`key` VARCHAR(250), 
	val MEDIUMTEXT, 
	description TEXT, 
	is_encrypted BOOL, 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_uq UNIQUE (`key`)
)ENGINE=InnoDB;

CREATE TABLE `trigger` (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	classpath VARCHAR(1000) NOT NULL, 
	kwargs TEXT NOT NULL, 
	created_date TIMESTAMP(6) NOT NULL, 
	triggerer_id INTEGER, 
	CONSTRAINT trigger_pkey PRIMARY KEY (id)
)ENGINE=InnoDB;

CREATE TABLE log (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	dttm TIMESTAMP(6) NULL, 
	dag_id VARCHAR(250), 
	task_id VARCHAR(250), 
	map_index INTEGER, 
	event VARCHAR(60), 
	execution_date TIMESTAMP(6) NULL, 
	run_id VARCHAR(250), 
	owner VARCHAR(500), 
	owner_display_name VARCHAR(500), 
	extra TEXT, 
	try_number INTEGER, 
	CONSTRAINT log_pkey PRIMARY KEY (id)
)ENGINE=InnoDB;
CREATE INDEX idx_log_dag ON log (dag_id);
CREATE INDEX idx_log_dttm ON log (dttm);
CREATE INDEX idx_log_event ON log (event);
CREATE INDEX idx_log_task_instance ON log (dag_id, task_id, run_id, map_index, try_number);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)ENGINE=InnoDB;

INSERT INTO alembic_version (version_num) VALUES ('22ed7efa9da2');
