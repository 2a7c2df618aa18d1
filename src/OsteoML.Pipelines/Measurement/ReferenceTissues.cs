namespace OsteoML.Pipelines.Measurement;

/// <summary>
/// Median HU of the four reference tissues of phantomless calibration — air, subcutaneous fat, muscle, aortic blood —
/// found around L1–L2 on the model grid (D, H, W = superior, posterior, left at isotropic spacing), by anatomy-guided
/// rules rather than a network: the slab between the L1 and L2 centroids, relative to the vertebral bodies.
/// NaN when a tissue is not found (the heads replace missing values; calibration falls back to the site's means).
/// <list type="bullet">
/// <item>air: columns within ±10 mm of the spine's midline, walked from the front of the image to the skin; values
/// in (−1100, −850) HU, excluding the scanner's constant padding outside the reconstruction circle;</item>
/// <item>fat: the same walks (and walks from both sides at the bodies' depth) continued past the skin (until the
/// values first fall into [−190, −30] HU, at most 6 mm) through the fat layer (at most 40 mm, until muscle); the
/// layer's interior only (its first and last voxel share partial volume with skin and muscle). With fewer than 10
/// such voxels (slim patients: 3–5 mm of fat) the fat voxels of the slab whose six neighbours are fat too;</item>
/// <item>muscle: the paraspinal boxes 15–55 mm behind the trabecular cores' back edge and 20–55 mm either side of
/// the midline; values in [−30, 150] HU;</item>
/// <item>blood: per slice, among the discs of radius 6 mm in front of the bodies and left of the midline (where the
/// abdominal aorta lies) with mean in [−20, 700] HU: the brightest of those with an SD within 1.5× (+2 HU) of the
/// smoothest when it reads ≥ 100 HU (an enhanced aorta), else the smoothest; the median over slices.</item>
/// </list>
/// </summary>
public static class ReferenceTissues
{
    public static IReadOnlyList<string> Names => Calibration.ReferenceTissues.Names;

    /// <summary>[air, fat, muscle, blood] HU.</summary>
    public static double[] Measure(float[] hu, int[] size, double spacingMm, byte[] levels, byte l1Code, byte l2Code)
    {
        var geometry = SpineGeometry.Find(levels, size, l1Code, l2Code);
        if (geometry is null) return [double.NaN, double.NaN, double.NaN, double.NaN];
        var g = geometry.Value;
        int Mm(double mm) => (int)Math.Round(mm / spacingMm);
        float At(int d, int h, int w) => hu[((long)d * size[1] + h) * size[2] + w];
        bool Inside(int h, int w) => (uint)h < size[1] && (uint)w < size[2];

        var air = new List<float>();
        var subcutaneous = new List<float>();
        var coreFat = new List<float>();
        var muscle = new List<float>();
        var blood = new List<float>();
        for (var d = g.SlabFrom; d <= g.SlabTo; d++)
        {
            // Anterior walks near the midline: air, skin, subcutaneous fat.
            for (var w = g.W - Mm(10); w <= g.W + Mm(10); w++)
                if ((uint)w < size[2]) Walk(d, 0, w, 1, 0);
            // Lateral walks at the bodies' depth: fat only (the arms may be down: their air is not the room's).
            for (var h = g.H - Mm(10); h <= g.H + Mm(10); h++)
            {
                if ((uint)h >= size[1]) continue;
                Walk(d, h, 0, 0, 1, collectAir: false);
                Walk(d, h, size[2] - 1, 0, -1, collectAir: false);
            }
            // Paraspinal muscle.
            for (var h = g.Back + Mm(15); h <= g.Back + Mm(55); h++)
            for (var side = -1; side <= 1; side += 2)
            for (var offset = Mm(20); offset <= Mm(55); offset++)
            {
                var w = g.W + side * offset;
                if (Inside(h, w) && levels[((long)d * size[1] + h) * size[2] + w] == 0 && At(d, h, w) is var v and >= -30 and <= 150) muscle.Add(v);
            }
            CollectCoreFat(d);
            if (AortaDisc(d) is { } mean) blood.Add(mean);
        }
        // Slim patients' subcutaneous layer is too thin for interior voxels on a 2 mm grid: their fat is then taken
        // from fat voxels anywhere in the slab whose six neighbours are all fat (visceral and retroperitoneal fat).
        var fat = subcutaneous.Count >= MinimumFatVoxels ? subcutaneous : coreFat;
        return [Median(air), Median(fat), Median(muscle), Median(blood)];

        void Walk(int d, int h, int w, int dh, int dw, bool collectAir = true)
        {
            var skin = -1;
            var run = new List<float>();
            for (var step = 0; Inside(h, w); step++, h += dh, w += dw)
            {
                var v = At(d, h, w);
                if (skin < 0)
                {
                    if (v > -500) skin = step;
                    else if (collectAir && v is > -1100 and < -850 && !IsPadding(d, h, w, dh, dw)) air.Add(v);
                    continue;
                }
                var depth = (step - skin) * spacingMm;
                // The skin (about 2 mm, blurred over a voxel or two) ends where the values first fall into fat's range;
                // a fixed skip of 4 mm used to swallow the whole layer of slim patients (3–5 mm of fat).
                if (run.Count == 0 && v > FatHigh)
                {
                    if (depth > MaxSkinMm) return;
                    continue;
                }
                if (depth > MaxFatDepthMm || v > FatHigh) break;
                if (v >= FatLow) run.Add(v);
            }
            // Both ends of the layer share their voxel with skin or muscle (partial volume raises them toward soft
            // tissue): only the layer's interior is fat. A layer of one or two voxels has no interior.
            for (var i = 1; i < run.Count - 1; i++) subcutaneous.Add(run[i]);
        }

        void CollectCoreFat(int d)
        {
            if (d <= 0 || d >= size[0] - 1) return;
            for (var h = 1; h < size[1] - 1; h++)
            for (var w = 1; w < size[2] - 1; w++)
            {
                var v = At(d, h, w);
                if (v is < FatLow or > FatHigh) continue;
                if (IsFat(At(d - 1, h, w)) && IsFat(At(d + 1, h, w)) && IsFat(At(d, h - 1, w)) && IsFat(At(d, h + 1, w))
                    && IsFat(At(d, h, w - 1)) && IsFat(At(d, h, w + 1)))
                    coreFat.Add(v);
            }
        }

        // Constant padding outside the reconstruction circle has no noise: three equal neighbours across the walk.
        bool IsPadding(int d, int h, int w, int dh, int dw)
        {
            int ph = dw != 0 ? 1 : 0, pw = dh != 0 ? 1 : 0;
            if (!Inside(h - ph, w - pw) || !Inside(h + ph, w + pw)) return true;
            var v = At(d, h, w);
            return Math.Abs(At(d, h - ph, w - pw) - v) < 0.01 && Math.Abs(At(d, h + ph, w + pw) - v) < 0.01;
        }

        float? AortaDisc(int d)
        {
            var r = Math.Max(2, Mm(6));
            var discs = new List<(double Sd, double Mean)>();
            for (var h = g.Front - Mm(35); h <= g.Front; h++)
            for (var w = g.W - Mm(5); w <= g.W + Mm(35); w++)
            {
                if (!Inside(h - r, w - r) || !Inside(h + r, w + r)) continue;
                double sum = 0, sumSquares = 0;
                var n = 0;
                var bone = false;
                for (var a = -r; a <= r && !bone; a++)
                for (var b = -r; b <= r; b++)
                {
                    if (a * a + b * b > r * r) continue;
                    if (levels[((long)d * size[1] + h + a) * size[2] + w + b] != 0) { bone = true; break; }
                    double v = At(d, h + a, w + b);
                    sum += v;
                    sumSquares += v * v;
                    n++;
                }
                if (bone || n == 0) continue;
                var mean = sum / n;
                var sd = Math.Sqrt(Math.Max(0, sumSquares / n - mean * mean));
                if (mean is >= -20 and <= 700) discs.Add((sd, mean));
            }
            if (discs.Count == 0) return null;
            // Homogeneous discs are the aorta, but also the crura and a psoas reaching forward, equally smooth: in an
            // enhanced scan the most homogeneous one was often muscle. An enhanced aorta is the brightest of the smooth
            // discs; without contrast blood and muscle differ by a few HU and the smoothest disc is kept.
            var smoothest = discs.MinBy(x => x.Sd);
            var brightest = discs.Where(x => x.Sd <= 1.5 * smoothest.Sd + 2).MaxBy(x => x.Mean);
            return (float)(brightest.Mean >= EnhancedBloodHu ? brightest.Mean : smoothest.Mean);
        }
    }

    private const float FatLow = -190, FatHigh = -30;
    /// <summary>Unenhanced blood is 30–60 HU; arterial and portal-venous aortas 150–350 HU (as MeasurementOptions.ContrastAortaHu).</summary>
    private const double EnhancedBloodHu = 100;
    private const double MaxSkinMm = 6, MaxFatDepthMm = 40;
    private const int MinimumFatVoxels = 10;

    private static bool IsFat(float v) => v is >= FatLow and <= FatHigh;

    private static double Median(List<float> values)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        return LevelStatistics.Percentile(values, 50);
    }
}

/// <summary>Where L1–L2 sit on the model grid: the slab between their centroids, the midline, front and back of the cores.</summary>
internal readonly record struct SpineGeometry(int SlabFrom, int SlabTo, int H, int W, int Front, int Back)
{
    public static SpineGeometry? Find(byte[] levels, int[] size, byte l1Code, byte l2Code)
    {
        var c1 = Centroid(levels, size, l1Code);
        var c2 = Centroid(levels, size, l2Code);
        if (c1 is null || c2 is null) return null;
        var from = (int)Math.Floor(Math.Min(c1.Value.D, c2.Value.D));
        var to = (int)Math.Ceiling(Math.Max(c1.Value.D, c2.Value.D));
        var h = (int)Math.Round((c1.Value.H + c2.Value.H) / 2);
        var w = (int)Math.Round((c1.Value.W + c2.Value.W) / 2);
        int front = int.MaxValue, back = -1;
        for (var d = from; d <= to; d++)
        for (var y = 0; y < size[1]; y++)
        for (var x = 0; x < size[2]; x++)
        {
            var code = levels[((long)d * size[1] + y) * size[2] + x];
            if (code != l1Code && code != l2Code) continue;
            front = Math.Min(front, y);
            back = Math.Max(back, y);
        }
        return back < 0 ? null : new SpineGeometry(from, to, h, w, front, back);
    }

    public static (double D, double H, double W)? Centroid(byte[] levels, int[] size, byte code)
    {
        double d = 0, h = 0, w = 0;
        long n = 0;
        var plane = (long)size[1] * size[2];
        for (long v = 0; v < levels.LongLength; v++)
        {
            if (levels[v] != code) continue;
            d += v / plane;
            h += v / size[2] % size[1];
            w += v % size[2];
            n++;
        }
        return n == 0 ? null : (d / n, h / n, w / n);
    }
}
