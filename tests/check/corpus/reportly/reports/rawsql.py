import sqlite3

import psycopg


def external_rows(dsn, sql, params=None):
    with psycopg.connect(dsn, connect_timeout=10) as conn:
        with conn.cursor() as cur:
            cur.execute(sql, params or ())
            header = [col.name for col in cur.description]
            return header, cur.fetchall()


def stage_rows(db_path, pairs):
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS staging (k TEXT, v TEXT)")
        conn.executemany("INSERT INTO staging (k, v) VALUES (?, ?)", pairs)
        conn.commit()
    finally:
        conn.close()
    return len(pairs)
