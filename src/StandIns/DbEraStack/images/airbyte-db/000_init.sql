-- Stand-in for airbyte/db's init script: the database the configs and jobs tables live in (created by the bootloader).
CREATE DATABASE airbyte;
