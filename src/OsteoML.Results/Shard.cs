using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OsteoML.Results;

/// <summary>
/// One worker's share of a batch: shard <see cref="Index"/> of <see cref="Count"/>. A study belongs to the shard
/// <c>first 8 bytes of SHA-256(UTF-8 key), big-endian, mod Count</c>, where the key is its series UID (or, for an input
/// that gave no UID, its location under the root). A cryptographic hash rather than <see cref="string.GetHashCode()"/>
/// because that one is randomised per process: every worker, on any machine and in any .NET version, must agree on
/// the partition without talking to each other, and it must not depend on folder order or on which other studies exist.
/// </summary>
public sealed record Shard
{
    /// <summary>The whole batch in one shard (no --shard given).</summary>
    public static readonly Shard All = new(0, 1);

    public Shard(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a shard count must be at least 1");
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), index, $"a shard index must be in 0..{count - 1}");
        Index = index;
        Count = count;
    }

    public int Index { get; }
    public int Count { get; }

    /// <summary>The shard (0..<paramref name="count"/>-1) a study key belongs to.</summary>
    public static int Of(string key, int count)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)count);
    }

    /// <summary>What a study's shard is computed from: its series UID, or where it was found when it gave none (an unreadable folder).</summary>
    public static string PartitionKey(string seriesUid, string location) => seriesUid.Length > 0 ? seriesUid : location;

    /// <summary>Whether this shard screens the study with this partition key.</summary>
    public bool Owns(string key) => Count == 1 || Of(key, Count) == Index;

    /// <summary>"i/N" — the form --shard takes.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>Parses "i/N" (0-based i); throws <see cref="FormatException"/> naming the problem.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !TryInt(parts[0], out var index) || !TryInt(parts[1], out var count))
            throw new FormatException($"'{text}' is not a shard: expected i/N, e.g. 0/4 (0-based index i of N shards)");
        if (count < 1 || index >= count)
            throw new FormatException($"'{text}' is not a shard: N must be at least 1 and i in 0..N-1");
        return new Shard(index, count);
    }

    private static bool TryInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
