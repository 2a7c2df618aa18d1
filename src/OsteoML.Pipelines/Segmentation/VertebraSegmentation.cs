using System.IO.Compression;
using System.Text.Json;
using OsteoML.Inference;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>One vertebral body the count found: its level (or null), size and how sure the network was inside it; for a named
/// level also where it is in patient coordinates (LPS, mm) — the trabecular mask's centroid and its craniocaudal extent
/// (<paramref name="SuperiorMm"/>, <paramref name="InferiorMm"/>: patient Z of its highest and lowest voxel faces), so level naming
/// can be checked against a reference on real scans. Null for unnamed bodies and in caches written before they were kept.</summary>
public sealed record SegmentedBody(string? Level, int Code, double VolumeCm3, double MeanTrabecularProbability, bool TouchesScanEdge, bool BearsRibs,
    double[]? CentroidMm = null, double? SuperiorMm = null, double? InferiorMm = null, double RibVolumeMm3 = 0);

/// <summary>
/// What SegmentVertebrae knows about a series: the level count's verdict, every body found, and the level maps —
/// on the model grid (for the DenseNet crop) and on the native CT grid inside a box around the bodies (for
/// measurements and the QA image). Level codes: 0 none, <see cref="LevelCode"/> for a named level, 255 for a body the
/// count could not name.
/// </summary>
public sealed class VertebraSegmentation
{
    public const byte Unnamed = 255;
    public static readonly IReadOnlyList<string> Levels = ["T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5"];

    public static byte LevelCode(string level) => (byte)(Levels.ToList().IndexOf(level) + 1);

    public static string? LevelName(byte code) => code is > 0 and <= 8 ? Levels[code - 1] : null;

    public required string SeriesInstanceUid { get; init; }
    public required string ModelSha256 { get; init; }
    public required LevelStatus Status { get; init; }
    public required string Reason { get; init; }
    public required IReadOnlyList<SegmentedBody> Bodies { get; init; }

    /// <summary>Mean trabecular probability over the L1 and L2 voxels (model grid); NaN when they were not identified.</summary>
    public required double Confidence { get; init; }

    public required double ModelSpacingMm { get; init; }
    /// <summary>(D, H, W) of the model grid and its level map.</summary>
    public required int[] ModelSize { get; init; }
    public required byte[] ModelLevels { get; init; }

    /// <summary>Native voxel box [lo, hi] (i, j, k inclusive) and the native level map inside it, x fastest.</summary>
    public required int[] NativeLo { get; init; }
    public required int[] NativeHi { get; init; }
    public required byte[] NativeLevels { get; init; }

    public double SegmentationSeconds { get; init; }

    /// <summary>T12 was found from weak rib evidence (a run of thinly marked ribs from the top of the scan): the levels
    /// are measured and the result is flagged for a reader to check the naming.</summary>
    public bool WeakRibAnchor { get; init; }

    public bool Identified => Status == LevelStatus.Identified;

    public SegmentedBody? Body(string level) => Bodies.FirstOrDefault(b => b.Level == level);

    /// <summary>The native level code at voxel (i, j, k); 0 outside the box.</summary>
    public byte NativeLevelAt(int i, int j, int k)
    {
        if (i < NativeLo[0] || j < NativeLo[1] || k < NativeLo[2] || i > NativeHi[0] || j > NativeHi[1] || k > NativeHi[2]) return 0;
        var nx = NativeHi[0] - NativeLo[0] + 1;
        var ny = NativeHi[1] - NativeLo[1] + 1;
        return NativeLevels[((long)(k - NativeLo[2]) * ny + (j - NativeLo[1])) * nx + (i - NativeLo[0])];
    }

    // ---- storage: a small JSON header and the two level maps, deflated -------------------------------------------

    private sealed record Header(string SeriesInstanceUid, string ModelSha256, LevelStatus Status, string Reason, IReadOnlyList<SegmentedBody> Bodies,
        double Confidence, double ModelSpacingMm, int[] ModelSize, int[] NativeLo, int[] NativeHi, double SegmentationSeconds, int FormatVersion, bool WeakRibAnchor = false);

    public const int FormatVersion = 1;

    public void Write(Stream stream)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(SeriesInstanceUid, ModelSha256, Status, Reason, Bodies, double.IsNaN(Confidence) ? -1 : Confidence,
            ModelSpacingMm, ModelSize, NativeLo, NativeHi, SegmentationSeconds, FormatVersion, WeakRibAnchor));
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(header.Length);
        writer.Write(header);
        using var deflate = new ZLibStream(stream, CompressionLevel.Fastest, leaveOpen: true);
        deflate.Write(ModelLevels);
        deflate.Write(NativeLevels);
    }

    public static VertebraSegmentation Read(Stream stream, string source)
    {
        try
        {
            using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            var length = reader.ReadInt32();
            if (length is <= 0 or > 1 << 20) throw new InvalidDataException("bad header length");
            var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(length)) ?? throw new InvalidDataException("empty header");
            if (header.FormatVersion != FormatVersion) throw new InvalidDataException($"format {header.FormatVersion}, expected {FormatVersion}");
            var modelLevels = new byte[(long)header.ModelSize[0] * header.ModelSize[1] * header.ModelSize[2]];
            var native = new byte[Enumerable.Range(0, 3).Aggregate(1L, (n, a) => n * (header.NativeHi[a] - header.NativeLo[a] + 1))];
            using var inflate = new ZLibStream(stream, CompressionMode.Decompress, leaveOpen: true);
            inflate.ReadExactly(modelLevels);
            inflate.ReadExactly(native);
            return new VertebraSegmentation
            {
                SeriesInstanceUid = header.SeriesInstanceUid, ModelSha256 = header.ModelSha256, Status = header.Status, Reason = header.Reason,
                Bodies = header.Bodies, Confidence = header.Confidence < 0 ? double.NaN : header.Confidence, ModelSpacingMm = header.ModelSpacingMm,
                ModelSize = header.ModelSize, ModelLevels = modelLevels, NativeLo = header.NativeLo, NativeHi = header.NativeHi,
                NativeLevels = native, SegmentationSeconds = header.SegmentationSeconds, WeakRibAnchor = header.WeakRibAnchor,
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or JsonException or InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{source}: unreadable cached segmentation ({ex.Message}).");
        }
    }
}
