using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OsteoML.Imaging;
using OsteoML.Inference;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>Settings of <see cref="VertebraSegmenter"/> (the <c>segmentation</c> block of a pipeline definition).</summary>
public sealed record SegmentationOptions
{
    /// <summary>Fraction of a window shared with its neighbour (the card's inference overlap).</summary>
    public double Overlap { get; init; } = 0.25;

    /// <summary>Sliding-window size (D, H, W); null takes the card's patch size.</summary>
    public int[]? WindowSize { get; init; }

    /// <summary>ONNX Runtime intra-op threads (0: ONNX Runtime's default, all cores).</summary>
    public int Threads { get; init; }

    /// <summary>Native voxels of margin around the bodies' box, where native-resolution masks are computed.</summary>
    public int NativeMarginVoxels { get; init; } = 2;
}

/// <summary>
/// Runs the shipped VB-Net-lite on one CT volume: canonical frame at the card's spacing (trilinear), the card's HU
/// window, a Gaussian-weighted sliding window (<see cref="SlidingWindowSegmenter"/>), argmax, the rib-anchored level
/// count (<see cref="VertebraLevels"/>), and the class probabilities resampled (trilinear) back to the native grid
/// before the argmax inside a box around the bodies, so masks follow the native resolution. Thread-safe.
/// </summary>
public sealed class VertebraSegmenter : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SlidingWindowSegmenter _window;

    public VertebraSegmenter(string modelDirectory, SegmentationOptions? options = null, DeviceSelection? device = null)
    {
        Options = options ?? new SegmentationOptions();
        var card = ModelCard.ReadFolder(modelDirectory);
        var bytes = File.ReadAllBytes(Path.Combine(modelDirectory, card.File));
        Sha256 = ModelVerifier.Sha256(bytes);
        if (!string.Equals(Sha256, card.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{Path.Combine(modelDirectory, card.File)}: sha256 {Sha256} does not match its card's {card.Sha256}.");
        if (card.Task != "segmentation" || card.Inputs.Count != 1 || card.Outputs.Count != 1)
            throw new InvalidDataException($"{modelDirectory}: card '{card.Name}' is not a one-input, one-output segmentation model.");
        if (card.Classes.Count != SegmentationClasses.Count || card.Classes[SegmentationClasses.Trabecular] != SegmentationClasses.Names[SegmentationClasses.Trabecular])
            throw new InvalidDataException($"{modelDirectory}: card classes [{string.Join(", ", card.Classes)}], expected [{string.Join(", ", SegmentationClasses.Names)}].");
        Card = card;
        _session = OnnxRuntimeSessions.Open(bytes, Options.Threads, (device ?? DeviceSelection.Cpu).CudaDeviceId, out var notice);
        DeviceNotice = notice;
        var spacing = card.Preprocessing.SpacingMm;
        if (spacing.Distinct().Count() != 1) throw new InvalidDataException($"{modelDirectory}: anisotropic model spacing is not supported.");
        SpacingMm = spacing[0];
        var window = Options.WindowSize ?? card.Preprocessing.PatchSize;
        _window = new SlidingWindowSegmenter(_session, window, Options.Overlap, card.Inputs[0].Name, Normalise(-1000f),
            foregroundAbove: Normalise(SlidingWindowSegmenter.BodyThresholdHu));
    }

    public ModelCard Card { get; }
    public string Sha256 { get; }
    public SegmentationOptions Options { get; }
    public double SpacingMm { get; }

    /// <summary>Why the CUDA device asked for is not used, or null.</summary>
    public string? DeviceNotice { get; }

    public float Normalise(float hu)
    {
        var w = Card.Preprocessing.Hu;
        return (float)((Math.Clamp(hu, w.Min, w.Max) - w.Center) / w.Scale);
    }

    public VertebraSegmentation Segment(Volume<float> hu, string seriesInstanceUid)
    {
        var clock = Stopwatch.StartNew();
        var grid = new CanonicalGrid(hu.Geometry, SpacingMm);
        var input = grid.Resample(hu);
        for (var i = 0; i < input.Length; i++) input[i] = Normalise(input[i]);
        var size = grid.Size;
        var probabilities = _window.Predict(input, size, out var classes);
        var voxels = grid.VoxelCount;
        var levels = VertebraLevels.Identify(probabilities, classes, grid.Geometry);

        // Level code per component, the bodies' summary and their box on the model grid.
        var codeOf = new byte[levels.Bodies.Count == 0 ? 1 : levels.Bodies.Max(b => b.Component) + 1];
        foreach (var b in levels.Bodies) codeOf[b.Component] = b.Level is { } name ? VertebraSegmentation.LevelCode(name) : VertebraSegmentation.Unnamed;
        var modelLevels = new byte[voxels];
        var probabilitySum = new double[codeOf.Length];
        int[] lo = [int.MaxValue, int.MaxValue, int.MaxValue], hi = [-1, -1, -1];
        var components = levels.Components.Voxels;
        var trabecular = SegmentationClasses.Trabecular * voxels;
        for (long v = 0; v < voxels; v++)
        {
            var component = components[v];
            if (component == 0 || component >= codeOf.Length || codeOf[component] == 0) continue;
            modelLevels[v] = codeOf[component];
            probabilitySum[component] += probabilities[trabecular + v];
            int d = (int)(v / ((long)size[1] * size[2])), h = (int)(v / size[2] % size[1]), w = (int)(v % size[2]);
            lo[0] = Math.Min(lo[0], d); lo[1] = Math.Min(lo[1], h); lo[2] = Math.Min(lo[2], w);
            hi[0] = Math.Max(hi[0], d); hi[1] = Math.Max(hi[1], h); hi[2] = Math.Max(hi[2], w);
        }
        var options = new VertebraLevelOptions();

        var confidence = double.NaN;
        if (levels.Status == LevelStatus.Identified)
        {
            var l1 = levels.Bodies.First(b => b.Level == "L1");
            var l2 = levels.Bodies.First(b => b.Level == "L2");
            confidence = (probabilitySum[l1.Component] + probabilitySum[l2.Component]) / (l1.Voxels + l2.Voxels);
        }

        int[] nativeLo = [0, 0, 0], nativeHi = [-1, -1, -1];
        byte[] nativeLevels = [];
        if (hi[0] >= 0)
        {
            (nativeLo, nativeHi) = grid.NativeBox(lo, hi, Options.NativeMarginVoxels);
            nativeLevels = NativeLevels(grid, probabilities, classes, modelLevels, nativeLo, nativeHi);
        }
        var positions = LevelPositions.Of(hu.Geometry, nativeLo, nativeHi, nativeLevels);
        var bodies = levels.Bodies.Select(b =>
        {
            // Every body gets a position from the model grid (what a refused count can be checked against); named ones
            // below take the finer one of their native-grid mask.
            var centre = grid.ModelToPatient(b.Centroid);
            var body = new SegmentedBody(b.Level, codeOf[b.Component], b.VolumeMm3 / 1000,
                b.Voxels > 0 ? probabilitySum[b.Component] / b.Voxels : double.NaN, b.TouchesScanEdge, b.BearsRibs(options),
                CentroidMm: [centre.X, centre.Y, centre.Z], RibVolumeMm3: b.RibVolumeMm3);
            return positions.TryGetValue(codeOf[b.Component], out var p) && b.Level is not null
                ? body with { CentroidMm = [p.Centroid.X, p.Centroid.Y, p.Centroid.Z], SuperiorMm = p.SuperiorMm, InferiorMm = p.InferiorMm }
                : body;
        }).ToList();
        return new VertebraSegmentation
        {
            SeriesInstanceUid = seriesInstanceUid,
            ModelSha256 = Sha256,
            Status = levels.Status,
            Reason = levels.Reason,
            Bodies = bodies,
            Confidence = confidence,
            ModelSpacingMm = SpacingMm,
            ModelSize = size,
            ModelLevels = modelLevels,
            NativeLo = nativeLo,
            NativeHi = nativeHi,
            NativeLevels = nativeLevels,
            SegmentationSeconds = clock.Elapsed.TotalSeconds,
            WeakRibAnchor = levels.WeakRibAnchor,
        };
    }

    /// <summary>
    /// Native-grid levels inside the box: class probabilities interpolated (trilinear) at each native voxel, argmax;
    /// a trabecular voxel takes the level of the nearest model voxel that has one (itself or a face neighbour).
    /// </summary>
    private static byte[] NativeLevels(CanonicalGrid grid, float[] probabilities, int classes, byte[] modelLevels, int[] lo, int[] hi)
    {
        var size = grid.Size;
        var voxels = grid.VoxelCount;
        int nx = hi[0] - lo[0] + 1, ny = hi[1] - lo[1] + 1, nz = hi[2] - lo[2] + 1;
        var result = new byte[(long)nx * ny * nz];
        Parallel.For(0, nz, z =>
        {
            Span<double> p = stackalloc double[classes];
            for (var y = 0; y < ny; y++)
            for (var x = 0; x < nx; x++)
            {
                var (d, h, w) = grid.ToModel(lo[0] + x, lo[1] + y, lo[2] + z);
                Interpolate(probabilities, classes, voxels, size, d, h, w, p);
                var best = 0;
                for (var c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
                if (best != SegmentationClasses.Trabecular) continue;
                result[((long)z * ny + y) * nx + x] = NearestLevel(modelLevels, size, d, h, w);
            }
        });
        return result;
    }

    private static void Interpolate(float[] values, int classes, long voxels, int[] size, double d, double h, double w, Span<double> result)
    {
        static (int, int, double) Axis(double m, int n)
        {
            var s = Math.Clamp(m, 0, n - 1);
            var i0 = (int)s;
            return (i0, Math.Min(i0 + 1, n - 1), s - i0);
        }
        var (d0, d1, ld) = Axis(d, size[0]);
        var (h0, h1, lh) = Axis(h, size[1]);
        var (w0, w1, lw) = Axis(w, size[2]);
        long Index(int a, int b, int c) => ((long)a * size[1] + b) * size[2] + c;
        for (var k = 0; k < classes; k++)
        {
            var o = k * voxels;
            double V(int a, int b, int c) => values[o + Index(a, b, c)];
            result[k] = (1 - ld) * ((1 - lh) * ((1 - lw) * V(d0, h0, w0) + lw * V(d0, h0, w1)) + lh * ((1 - lw) * V(d0, h1, w0) + lw * V(d0, h1, w1)))
                      + ld * ((1 - lh) * ((1 - lw) * V(d1, h0, w0) + lw * V(d1, h0, w1)) + lh * ((1 - lw) * V(d1, h1, w0) + lw * V(d1, h1, w1)));
        }
    }

    private static byte NearestLevel(byte[] levels, int[] size, double d, double h, double w)
    {
        int cd = Math.Clamp((int)Math.Round(d), 0, size[0] - 1), ch = Math.Clamp((int)Math.Round(h), 0, size[1] - 1), cw = Math.Clamp((int)Math.Round(w), 0, size[2] - 1);
        long Index(int a, int b, int c) => ((long)a * size[1] + b) * size[2] + c;
        var own = levels[Index(cd, ch, cw)];
        if (own != 0) return own;
        ReadOnlySpan<(int, int, int)> neighbours = [(-1, 0, 0), (1, 0, 0), (0, -1, 0), (0, 1, 0), (0, 0, -1), (0, 0, 1)];
        foreach (var (a, b, c) in neighbours)
        {
            int nd = cd + a, nh = ch + b, nw = cw + c;
            if ((uint)nd < size[0] && (uint)nh < size[1] && (uint)nw < size[2] && levels[Index(nd, nh, nw)] is var l and not 0) return l;
        }
        return 0;
    }

    public void Dispose() => _session.Dispose();
}

/// <summary><c>--device cpu|cuda[:N]</c>.</summary>
public sealed record DeviceSelection(int? CudaDeviceId)
{
    public static DeviceSelection Cpu { get; } = new((int?)null);

    public static DeviceSelection Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return new DeviceSelection(0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t[5..], out var n) && n >= 0) return new DeviceSelection(n);
        throw new ArgumentException($"unknown device '{text}': expected cpu, cuda or cuda:N.");
    }

    public override string ToString() => CudaDeviceId is { } n ? $"cuda:{n}" : "cpu";
}
