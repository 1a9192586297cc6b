global using AirbyteOps.Workspace.Jobs;
global using AirbyteOps.Workspace.Normalization;
global using AirbyteOps.Workspace.Dbt;
global using AirbyteOps.Workspace.Logs;
