global using AirbyteOps.Trees;
