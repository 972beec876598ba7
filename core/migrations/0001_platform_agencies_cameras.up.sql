-- Agencies (police units: detecting and resolving units with their contact) and the cameras they run.
CREATE TABLE agencies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  province_code text NOT NULL,
  commune text,
  phone text,
  address text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cameras (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agency_id uuid NOT NULL REFERENCES agencies (id) ON DELETE RESTRICT,
  name text NOT NULL,
  address text NOT NULL DEFAULT '',
  lat double precision CHECK (lat BETWEEN -90 AND 90),
  lng double precision CHECK (lng BETWEEN -180 AND 180),
  stream_url text NOT NULL,
  sample_fps real NOT NULL DEFAULT 5 CHECK (sample_fps > 0 AND sample_fps <= 60),
  enabled boolean NOT NULL DEFAULT true,
  geometry jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cameras_agency_id_idx ON cameras (agency_id);
