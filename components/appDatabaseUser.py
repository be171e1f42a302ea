"""Creates the application's database user in the home's Aurora cluster, through the RDS Data API.

Pulumi runs it (aws.lambda.Invocation in components/appDatabaseUser.ts) when the cluster is new and
whenever this file or its settings change. It holds the only grant on the master credentials' secret,
and uses them for nothing but the statements below. Every statement is idempotent, so a re-run finds
the user as the last run left it and changes nothing. No network path to the database: the Data API is
an AWS endpoint, and it runs each statement on the cluster's writer.

Settings (the environment): CLUSTER_ARN, SECRET_ARN, DATABASE, APP_USER, APP_SCHEMA.
"""
import os
import re
import time

import boto3

# Names this function writes into SQL unparameterised (identifiers cannot be bound): plain lower-case
# PostgreSQL identifiers only, quoted.
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Data API errors that pass while the writer comes up or resumes (RDS Data API Reference, "Errors" of
# ExecuteStatement); anything else is an answer.
RETRYABLE = {
    "DatabaseResumingException",
    "DatabaseUnavailableException",
    "InternalServerErrorException",
    "ServiceUnavailableError",
    "StatementTimeoutException",
}
ATTEMPTS = 12
PAUSE_SECONDS = 15
# What the user may do besides logging in: nothing of this.
PRIVILEGES = ["rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls", "rds_superuser"]
CHECK = (
    "SELECT rolcanlogin, pg_has_role(rolname, 'rds_iam', 'MEMBER') AS rds_iam, rolsuper, rolcreaterole,"
    " rolcreatedb, rolreplication, rolbypassrls, pg_has_role(rolname, 'rds_superuser', 'MEMBER') AS"
    " rds_superuser FROM pg_catalog.pg_roles WHERE rolname = :user"
)


def quoted(name):
    if not IDENTIFIER.match(name or ""):
        raise ValueError("%r is not a plain lower-case PostgreSQL identifier" % (name,))
    return '"%s"' % name


def statements(database, user, schema):
    """The bootstrap, in order. The user logs in with IAM only (rds_iam, no password), uses and creates
    objects in its own schema, and holds no role attribute (CREATE ROLE's defaults: NOSUPERUSER,
    NOCREATEDB, NOCREATEROLE, NOREPLICATION, NOBYPASSRLS)."""
    u, s, d = quoted(user), quoted(schema), quoted(database)
    return [
        # CREATE ROLE has no IF NOT EXISTS; the name is checked by quoted() before it is a literal here.
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '%s') THEN"
        " CREATE ROLE %s LOGIN; END IF; END $$" % (user, u),
        # Aurora User Guide, "Creating a database account using IAM authentication" (PostgreSQL).
        "GRANT rds_iam TO %s" % u,
        "GRANT CONNECT ON DATABASE %s TO %s" % (d, u),
        # Owned by the master user: the application cannot drop its schema, only what it creates in it.
        "CREATE SCHEMA IF NOT EXISTS %s" % s,
        "GRANT USAGE, CREATE ON SCHEMA %s TO %s" % (s, u),
        "ALTER ROLE %s SET search_path = %s" % (u, s),
    ]


def settings_from(environment):
    settings = {
        "cluster": environment["CLUSTER_ARN"],
        "secret": environment["SECRET_ARN"],
        "database": environment["DATABASE"],
        "user": environment["APP_USER"],
        "schema": environment["APP_SCHEMA"],
    }
    for key in ("database", "user", "schema"):
        quoted(settings[key])
    return settings


def error_code(error):
    return getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)


def execute(client, settings, sql, parameters=(), sleep=time.sleep):
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return client.execute_statement(
                resourceArn=settings["cluster"],
                secretArn=settings["secret"],
                database=settings["database"],
                sql=sql,
                parameters=list(parameters),
            )
        except Exception as error:
            code = error_code(error)
            if code not in RETRYABLE or attempt == ATTEMPTS:
                # The Data API runs statements on the writer only ("Limitations for the Amazon RDS Data
                # API"): while the writer is in another region, the home's cluster has none.
                raise RuntimeError(
                    "%s: %s. If the writer is not in this region now, run the bootstrap after the failback:"
                    " the user it created before is in every region already." % (code, error)
                ) from error
            print("attempt %d: %s, retrying in %ds" % (attempt, code, PAUSE_SECONDS))
            sleep(PAUSE_SECONDS)


def run(settings, client, sleep=time.sleep):
    """Runs the statements, then checks the user: it logs in, through IAM, and holds no privilege."""
    sql = statements(settings["database"], settings["user"], settings["schema"])
    for statement in sql:
        execute(client, settings, statement, sleep=sleep)
    parameters = [{"name": "user", "value": {"stringValue": settings["user"]}}]
    records = execute(client, settings, CHECK, parameters, sleep=sleep).get("records", [])
    if len(records) != 1:
        raise RuntimeError("role %s not found after the bootstrap" % settings["user"])
    names = ["rolcanlogin", "rds_iam"] + PRIVILEGES
    role = dict(zip(names, (field.get("booleanValue") for field in records[0])))
    held = [name for name in PRIVILEGES if role[name]]
    if not role["rolcanlogin"] or not role["rds_iam"] or held:
        # A role of that name existed with more than this bootstrap grants: fix it by hand, on purpose.
        raise RuntimeError("role %s is not the least-privilege IAM user expected: %s" % (settings["user"], role))
    return {
        "database": settings["database"],
        "user": settings["user"],
        "schema": settings["schema"],
        "statements": len(sql),
        "role": role,
    }


def handler(event, context):
    # The event is not read: what runs is this file and its environment, which Pulumi set.
    return run(settings_from(os.environ), boto3.client("rds-data"))
