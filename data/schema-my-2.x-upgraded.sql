-- schema-my-2.x-upgraded.sql: the same tables in a MySQL metadata DB that began
-- on Airflow 1.10 and was upgraded by the migrations to 2.x (head 686269002441,
-- as schema-2.x-upgraded.sql and schema-pg-2.x-upgraded.sql): the column order
-- of the migrations (extra before the flags, description last), NULL flags on
-- old rows, and conn_id as the 1.10 migrations made it on MySQL:
-- VARCHAR(250) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin (airflow/migrations/utils
-- get_mssql_table_constraints / COLLATION_ARGS: sql_engine_collation_for_ids,
-- default utf8mb3_bin), so conn_ids that differ only in case are two rows and
-- sort in code point order. password and login VARCHAR(5000)/(500) were made
-- TEXT by 0006_2_8_0 (this DB is older: the strings stay VARCHAR). val is
-- MEDIUMTEXT (0007_1_10_2 on MySQL). The database itself is utf8mb4_unicode_ci.
-- Load with: mariadb airflow < data/schema-my-2.x-upgraded.sql

CREATE TABLE connection (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	conn_id VARCHAR(250) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin NOT NULL, 
	conn_type VARCHAR(500) NOT NULL, 
	host VARCHAR(500), 
	`schema` VARCHAR(500), 
	login VARCHAR(500), 
	password VARCHAR(5000), 
	port INTEGER, 
	extra TEXT, 
	is_encrypted BOOL, 
	is_extra_encrypted BOOL, 
	description TEXT(5000), 
	CONSTRAINT connection_pkey PRIMARY KEY (id), 
	CONSTRAINT connection_conn_id_uq UNIQUE (conn_id)
)ENGINE=InnoDB;

CREATE TABLE variable (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	`key` VARCHAR(250) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin, 
	val MEDIUMTEXT, 
	is_encrypted BOOL, 
	description TEXT, 
	CONSTRAINT variable_pkey PRIMARY KEY (id), 
	CONSTRAINT variable_key_key UNIQUE (`key`)
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
	event VARCHAR(30), 
	execution_date TIMESTAMP(6) NULL, 
	owner VARCHAR(500), 
	extra TEXT, 
	map_index INTEGER, 
	owner_display_name VARCHAR(500), 
	run_id VARCHAR(250), 
	CONSTRAINT log_pkey PRIMARY KEY (id)
)ENGINE=InnoDB;
CREATE INDEX idx_log_dag ON log (dag_id);
CREATE INDEX idx_log_dttm ON log (dttm);
CREATE INDEX idx_log_event ON log (event);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)ENGINE=InnoDB;

INSERT INTO alembic_version (version_num) VALUES ('686269002441');
