/*
 * login.h: the console's Airflow password field (`[console] airflow_login =
 * password`, doc/design.md section 4, "Roles from Airflow"): shown after
 * the terminal is taken and before the home list, as its own small loop.
 */
#ifndef FERNCON_UI_LOGIN_H
#define FERNCON_UI_LOGIN_H

#include "compiler.h"
#include "err.h"
#include "session.h"

/*
 * Ask for the person's Airflow password in a hidden field until
 * session_airflow_login() accepts one, or refuses a third, or Esc. 0 when
 * accepted, -1 with e set (ERR_DENIED: refused or cancelled).
 */
int login_run(struct session *s, struct err *e) ATTR_WUR;

#endif
