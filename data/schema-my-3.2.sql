-- schema-my-3.2.sql: the tables ferncon touches in a FRESH Apache Airflow 3.2
-- MySQL metadata DB (`airflow db migrate` on an empty utf8mb4_unicode_ci database:
-- create_all() under SQLAlchemy 2, then `alembic stamp head`, 6222ce48e289 as in
-- schema-3.2.sql and schema-pg-3.2.sql).
--
-- Sources (apache/airflow, airflow-core/src/airflow/models/: connection.py, variable.py,
-- trigger.py, log.py, team.py): as schema-pg-3.2.sql, in the mysql dialect's DDL:
-- Mapped[bool] flags are BOOL NOT NULL, variable.val MEDIUMTEXT NOT NULL (the MySQL
-- variant), connection.description TEXT(5000), team_name VARCHAR(50) with its
-- foreign key to team(name) ON DELETE SET NULL, UtcDateTime TIMESTAMP(6).
-- Load with: mariadb airflow < data/schema-my-3.2.sql

CREATE TABLE team (
	name VARCHAR(50) NOT NULL, 
	CONSTRAINT team_pkey PRIMARY KEY (name)
)ENGINE=InnoDB;

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
	is_encrypted BOOL NOT NULL, 
	is_extra_encrypted BOOL NOT NULL, 
	team_name VARCHAR(50), 
	extra TEXT, 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id), 
	CONSTRAINT connection_team_name_fkey FOREIGN KEY(team_name) REFERENCES team (name) ON DELETE SET NULL
)ENGINE=InnoDB;

CREATE TABLE variable (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	`key` VARCHAR(250) NOT NULL, 
	val MEDIUMTEXT NOT NULL, 
	description TEXT, 
	is_encrypted BOOL NOT NULL, 
	team_name VARCHAR(50), 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_uq UNIQUE (`key`), 
	CONSTRAINT variable_team_name_fkey FOREIGN KEY(team_name) REFERENCES team (name) ON DELETE SET NULL
)ENGINE=InnoDB;

CREATE TABLE `trigger` (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	classpath VARCHAR(1000) NOT NULL, 
	kwargs TEXT NOT NULL, 
	created_date TIMESTAMP(6) NOT NULL, 
	triggerer_id INTEGER, 
	queue VARCHAR(256), 
	CONSTRAINT trigger_pkey PRIMARY KEY (id)
)ENGINE=InnoDB;

CREATE TABLE log (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	dttm TIMESTAMP(6) NOT NULL, 
	dag_id VARCHAR(250), 
	task_id VARCHAR(250), 
	map_index INTEGER, 
	event VARCHAR(60) NOT NULL, 
	logical_date TIMESTAMP(6) NULL, 
	run_id VARCHAR(250), 
	owner VARCHAR(500), 
	owner_display_name VARCHAR(500), 
	extra TEXT, 
	try_number INTEGER, 
	CONSTRAINT log_pkey PRIMARY KEY (id)
)ENGINE=InnoDB;
CREATE INDEX idx_log_dttm ON log (dttm);
CREATE INDEX idx_log_event ON log (event);
CREATE INDEX idx_log_task_instance ON log (dag_id, task_id, run_id, map_index, try_number);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)ENGINE=InnoDB;

INSERT INTO alembic_version (version_num) VALUES ('6222ce48e289');
