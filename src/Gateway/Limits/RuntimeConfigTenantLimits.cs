using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Push;
using Prometheus;

namespace Orleans.Loki.Gateway.Limits;

/// <summary>
/// Per-tenant limits from Loki's runtime config file: <c>overrides: { tenant: { limits_config keys } }</c>, re-read
/// every period without a restart. A file that fails to read or parse is logged and ignored: the last good overrides
/// stay in force. Tenants without an entry get the <c>limits_config</c> defaults.
/// </summary>
public sealed partial class RuntimeConfigTenantLimits : ITenantLimits, Grains.Compactor.ICompactorLimitsSource, IDisposable
{
    private static readonly Gauge s_lastReloadSuccessful = Metrics.CreateGauge(
        "loki_runtime_config_last_reload_successful", "Whether the last runtime-config reload attempt was successful.");

    private readonly string _file;
    private readonly TenantLimits _defaults;
    private readonly RuntimeOverridesParser _parser;
    private readonly ILogger _logger;
    private readonly System.Threading.ITimer _timer;
    private readonly Lock _reloadLock = new();
    private volatile IReadOnlyDictionary<string, TenantLimits> _overrides = new Dictionary<string, TenantLimits>();
    private byte[]? _lastHash;

    /// <summary>Loads the file once (throws <see cref="InvalidOperationException"/> when that fails) and starts polling it.</summary>
    public RuntimeConfigTenantLimits(GatewayOptions options, RuntimeOverridesParser parser, TimeProvider time, ILogger<RuntimeConfigTenantLimits> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _file = options.RuntimeConfig.File ?? throw new ArgumentException("runtime_config.file is not set", nameof(options));
        _defaults = TenantLimits.Defaults(options);
        _parser = parser;
        _logger = logger;
        if (Reload() is { } error)
        {
            throw new InvalidOperationException(error);
        }
        _timer = time.CreateTimer(static s => ((RuntimeConfigTenantLimits)s!).Reload(), this, options.RuntimeConfig.Period, options.RuntimeConfig.Period);
    }

    /// <summary>Tenants that currently have overrides.</summary>
    public IReadOnlyCollection<string> OverriddenTenants => [.. _overrides.Keys];

    public ValidationLimits Validation(string tenant) => For(tenant).Validation;

    public QueryLimits Query(string tenant) => For(tenant).Query;

    public IngestionLimits Ingestion(string tenant) => For(tenant).Ingestion;

    public Grains.Compactor.CompactorLimits Compactor(string tenant) => For(tenant).Compactor;

    private TenantLimits For(string tenant) => _overrides.TryGetValue(tenant, out var limits) ? limits : _defaults;

    /// <summary>Reads the file and applies it if its content changed; returns the problem, or null.</summary>
    public string? Reload()
    {
        lock (_reloadLock)
        {
            string text;
            try
            {
                text = File.ReadAllText(_file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Failed($"cannot read runtime config file '{_file}': {e.Message}");
            }
            var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));
            if (_lastHash is not null && hash.AsSpan().SequenceEqual(_lastHash))
            {
                s_lastReloadSuccessful.Set(1);
                return null;
            }
            if (!_parser(text, _defaults, out var overrides, out var error))
            {
                return Failed($"runtime config file '{_file}': {error}");
            }
            _overrides = overrides;
            _lastHash = hash;
            s_lastReloadSuccessful.Set(1);
            LogReloaded(_logger, _file, overrides.Count);
            return null;
        }
    }

    private string Failed(string message)
    {
        s_lastReloadSuccessful.Set(0);
        LogReloadFailed(_logger, message);
        return message;
    }

    public void Dispose() => _timer.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded runtime config {File}: overrides for {Tenants} tenants")]
    private static partial void LogReloaded(ILogger logger, string file, int tenants);

    [LoggerMessage(Level = LogLevel.Error, Message = "Runtime config not applied, keeping the previous overrides: {Problem}")]
    private static partial void LogReloadFailed(ILogger logger, string problem);
}
