using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Tail;

/// <summary>A live tail: its selector's matchers and the observer that receives matching streams' entries.</summary>
[GenerateSerializer, Immutable, Alias("TailSubscriber")]
public sealed record TailSubscriber(
    [property: Id(0)] Guid Id,
    [property: Id(1)] IReadOnlyList<MatcherSpec> Matchers,
    [property: Id(2)] ITailObserver Observer);

/// <summary>The subscriptions of one tenant at one version.</summary>
[GenerateSerializer, Immutable, Alias("TailSnapshot")]
public sealed record TailSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyList<TailSubscriber> Subscribers)
{
    /// <summary>No tails.</summary>
    public static TailSnapshot Empty { get; } = new(0, []);
}

/// <summary>Durable entries of one stream: <see cref="Batch"/> is an encoded entry batch of <see cref="Count"/> entries.</summary>
[GenerateSerializer, Immutable, Alias("TailEntries")]
public sealed record TailEntries(
    [property: Id(0)] string Labels,
    [property: Id(1)] byte[] Batch,
    [property: Id(2)] int Count);

/// <summary>The answer to a subscription: accepted, or Loki's error text.</summary>
[GenerateSerializer, Immutable, Alias("TailSubscribeResult")]
public sealed record TailSubscribeResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string? Error);
