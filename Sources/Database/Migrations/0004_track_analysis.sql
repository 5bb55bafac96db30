-- The whole analysis as the engine returned it (BPM alternatives and all), next to the columns that
-- similarity queries filter on, so a cached analysis reads back exactly.
ALTER TABLE tracks ADD COLUMN analysis JSONB;
CREATE INDEX tracks_key ON tracks (key_tonic, key_mode) WHERE key_tonic IS NOT NULL;
