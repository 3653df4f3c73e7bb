using Orleans.Loki.Gateway;
using Orleans.Loki.Grains;

namespace Orleans.Loki.Silo.Configuration;

/// <summary>Everything the process needs, after the YAML file and the flags were applied.</summary>
public sealed class LokiSettings
{
    /// <summary><c>-target</c>: all, write, read, backend, a module name, or a comma list of them.</summary>
    public string Target { get; set; } = "all";
    public string HttpListenAddress { get; set; } = "0.0.0.0";
    public int HttpListenPort { get; set; } = 3100;
    public string LogLevel { get; set; } = "info";

    /// <summary><c>common.path_prefix</c>: root of the filesystem object store.</summary>
    public string PathPrefix { get; set; } = "./data";

    /// <summary><c>storage_config.azure</c>: when a connection string is set, Azure Blob is the object store.</summary>
    public string? AzureConnectionString { get; set; }
    public string AzureContainerName { get; set; } = "loki";

    /// <summary><c>storage_config.aws</c>: when a bucket is set, S3 (or an S3-compatible server) is the object store.</summary>
    public Orleans.Loki.Storage.S3Settings? S3 { get; set; }

    /// <summary><c>cluster.*</c> (ours): how silos find each other.</summary>
    public ClusterSettings Cluster { get; set; } = new();

    public GatewayOptions Gateway { get; set; } = new();
    public IngesterOptions Ingester { get; set; } = new();

    /// <summary>
    /// <c>ingester.return_memory_after_flushed_bytes</c> (ours): once the unflushed data has fallen this far from its
    /// peak (chunks flushed), a full compacting GC gives the freed memory back to the OS (<see cref="FlushedMemoryReturner"/>); 0: never.
    /// </summary>
    public long ReturnMemoryAfterFlushedBytes { get; set; } = 64L << 20;

    /// <summary><c>ruler:</c> rule storage, evaluation, Alertmanager and remote write.</summary>
    public Orleans.Loki.Ruler.RulerOptions Ruler { get; set; } = new();

    /// <summary><c>compactor:</c> retention, deletes and the sweep of marked chunks.</summary>
    public Orleans.Loki.Grains.Compactor.CompactorOptions Compactor { get; set; } = new();

    /// <summary>Non-fatal findings (unknown keys), logged at start-up.</summary>
    public List<string> Warnings { get; } = [];

    public static readonly string[] Targets = ["all", "write", "read", "backend"];
}

/// <summary>Cluster membership settings.</summary>
public sealed class ClusterSettings
{
    /// <summary><c>localhost</c> (single process, default) or <c>azure_table</c> (uses the Azure storage connection string).</summary>
    public string Provider { get; set; } = "localhost";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    public string ClusterId { get; set; } = "loki";
    public string ServiceId { get; set; } = "orleans-loki";
    /// <summary>Address advertised to other silos; defaults to loopback for <c>localhost</c> clustering.</summary>
    public string? AdvertisedAddress { get; set; }
}
