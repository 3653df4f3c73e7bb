using System.Reflection;

namespace Orleans.Loki.Silo;

/// <summary>Version facts for <c>/loki/api/v1/status/buildinfo</c> and <c>-version</c>.</summary>
public static class BuildInfo
{
    /// <summary>The Loki API version this implementation follows.</summary>
    public const string Version = "3.5.0";

    public static string Revision { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
