-- What is known of each file of a local library: the size and modification time it had when it was
-- analysed, and the analysis and tags that came out (a LibraryRecord as JSON), so that every instance
-- analyses a file once, and again only when it changes.
CREATE TABLE library_tracks (
    library     TEXT NOT NULL,
    path        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    modified    DOUBLE PRECISION NOT NULL,
    record      JSONB NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (library, path)
);
