global using AirbyteOps.Trees;
global using AirbyteOps.Setups.Trees;
global using AirbyteOps.Setups.Secrets;
global using AirbyteOps.Setups.Manifest;
global using AirbyteOps.Setups.Export;
global using AirbyteOps.Setups.Restore;
global using AirbyteOps.Setups.Verify;
global using AirbyteOps.Setups.Database;
