-- Vehicle registration data (owners), imported from the registration agency's CSV export.
CREATE TABLE registry_owners (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  full_name text NOT NULL,
  id_number text NOT NULL UNIQUE,
  address text NOT NULL,
  province_code text NOT NULL,
  commune text,
  email text,
  phone text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE registry_vehicles (
  plate text PRIMARY KEY,
  plate_colour text NOT NULL CHECK (plate_colour IN ('white', 'yellow', 'blue', 'red')),
  vehicle_type text NOT NULL CHECK (vehicle_type IN ('car', 'motorbike', 'bus', 'truck', 'bicycle', 'unknown')),
  brand text,
  colour text,
  owner_id uuid NOT NULL REFERENCES registry_owners (id),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registry_vehicles_owner_idx ON registry_vehicles (owner_id);
