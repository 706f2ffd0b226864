-- API tokens for write routes (and private reads). The token itself is shown once by
-- `npm run probe -- token create`; only the SHA-256 of its secret part is stored.
CREATE TABLE api_tokens (
  id          TEXT    NOT NULL PRIMARY KEY, -- the public part of the token: afl_<id>_<secret>
  name        TEXT    NOT NULL,
  scopes      TEXT    NOT NULL,             -- space-separated: read, write
  secret_hash TEXT    NOT NULL,             -- hex SHA-256 of the secret part
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER                       -- set by `token revoke`; a revoked token is refused
) WITHOUT ROWID;
