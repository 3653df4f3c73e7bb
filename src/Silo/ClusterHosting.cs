using Azure.Data.Tables;
using Orleans.Configuration;
using Orleans.Loki.Grains.Placement;
using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Silo;

/// <summary>Roles (targets and modules), membership providers and failure detection of a silo.</summary>
public static class ClusterHosting
{
    /// <summary>The modules of the configured target (validated by the config loader).</summary>
    public static IReadOnlySet<string> Modules(LokiSettings settings) => LokiModules.ExpandOrThrow(settings.Target);

    /// <summary>
    /// <c>azure_table</c>: the membership table in Azure Table storage. <c>kubernetes</c>: the same table, plus
    /// Orleans' Kubernetes hosting (cluster and service id, silo name and address from the pod; a deleted pod's silo is
    /// declared dead at once instead of after missed probes).
    /// </summary>
    public static void UseMembership(ISiloBuilder silo, LokiSettings settings)
    {
        silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(settings.AzureConnectionString));
        if (settings.Cluster.Provider == "kubernetes")
        {
            silo.UseKubernetesHosting();
        }
    }

    /// <summary>Silo metadata and placement by module, and failure detection tuned for fast recovery.</summary>
    public static void ConfigureRoles(ISiloBuilder silo, LokiSettings settings)
    {
        silo.AddLokiRolePlacement(settings.Target);
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // A silo is declared dead after NumMissedProbesLimit probes of ProbeTimeout each went unanswered
            // by NumVotesForDeathDeclaration silos: with 1 s and 2 misses a kill -9 is detected in about 2-3 s
            // instead of the default 10-15 s (5 s x 3). Two votes (the default) stay, so one slow prober alone
            // cannot evict a healthy silo.
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 2;
            // Silos also re-read the table this often (gossip normally tells them sooner).
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        });
    }
}
