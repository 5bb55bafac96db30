-- Each analysed track's sound vector (the tagging networks' 100 tag probabilities), for `/v1/similar`'s
-- nearest neighbours by sound. contrib's cube type holds up to 100 dimensions, and a GiST index on it
-- answers `ORDER BY sound <-> cube(...) LIMIT n` (Euclidean KNN) without a scan of the table.
CREATE EXTENSION IF NOT EXISTS cube;
ALTER TABLE tracks ADD COLUMN sound cube;
CREATE INDEX tracks_sound ON tracks USING gist (sound);
