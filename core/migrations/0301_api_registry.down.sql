DROP TABLE IF EXISTS registry_vehicles;
DROP TABLE IF EXISTS registry_owners;
