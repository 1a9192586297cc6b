namespace AirbyteOps.Setups.Era;

/// <summary>Where an Airbyte deployment keeps its configuration, by version (and confirmed by what its database holds).</summary>
public enum AirbyteEra
{
    /// <summary>0.7 – 0.27.3: configuration files under CONFIG_ROOT (/data/config/&lt;TYPE&gt;/&lt;id&gt;.json).</summary>
    Files,

    /// <summary>0.27.4 – 0.29: the files copied into the database (airbyte_configs), both in use.</summary>
    FilesAndDatabase,

    /// <summary>0.30 – 0.63: the database only (Flyway-migrated; rows of actor, connection, ... from 0.32.8).</summary>
    Database,
}
