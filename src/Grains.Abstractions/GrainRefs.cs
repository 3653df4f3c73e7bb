using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Orleans.Loki.Grains;

/// <summary>
/// Grain references without the per-call reflection of <c>IGrainFactory.GetGrain&lt;T&gt;(key)</c>.
/// </summary>
/// <remarks>
/// Orleans resolves the grain interface type of <c>T</c> from its attributes on every <c>GetGrain&lt;T&gt;</c> call;
/// on the push path (one reference per stream per request) that reflection was 6% of the server's CPU. The grain
/// type and interface type of an interface are fixed for the process, so they are resolved once per factory and
/// interface, and every later reference is built from a <see cref="GrainId"/>.
/// </remarks>
public static class GrainRefs
{
    private static readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<Type, (GrainType Grain, GrainInterfaceType Interface)>> Types = new();

    /// <summary>The same reference as <c>grains.GetGrain&lt;TGrain&gt;(key)</c>.</summary>
    public static TGrain Get<TGrain>(IGrainFactory grains, string key)
        where TGrain : IGrainWithStringKey
    {
        var types = Resolve<TGrain>(grains, static g => g.GetGrain<TGrain>("-"));
        return (TGrain)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
    }

    /// <summary>The same reference as <c>grains.GetGrain&lt;TGrain&gt;(key)</c>.</summary>
    public static TGrain Get<TGrain>(IGrainFactory grains, long key)
        where TGrain : IGrainWithIntegerKey
    {
        var types = Resolve<TGrain>(grains, static g => g.GetGrain<TGrain>(0));
        return (TGrain)grains.GetGrain(GrainId.Create(types.Grain, GrainIdKeyExtensions.CreateIntegerKey(key)), types.Interface);
    }

    private static (GrainType Grain, GrainInterfaceType Interface) Resolve<TGrain>(IGrainFactory grains, Func<IGrainFactory, TGrain> sample)
    {
        var perFactory = Types.GetValue(grains, static _ => new ConcurrentDictionary<Type, (GrainType, GrainInterfaceType)>());
        if (perFactory.TryGetValue(typeof(TGrain), out var types))
        {
            return types;
        }
        var reference = (GrainReference)(object)sample(grains)!;
        types = (reference.GrainId.Type, reference.InterfaceType);
        perFactory[typeof(TGrain)] = types;
        return types;
    }
}
