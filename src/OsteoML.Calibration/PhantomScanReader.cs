using OsteoML.Evaluation;

namespace OsteoML.Calibration;

/// <summary>
/// Reads a calibration phantom scan: finds the phantom and its inserts, measures them robustly, and fits the
/// scanner's HU-to-density line and CT-number scale at the scan's kVp.
/// <list type="number">
/// <item>Body: voxels above −500 HU; its centre is the centroid of the largest run of such voxels on each row and
/// column through the image's brightest-mass centre (a table under the phantom is a separate, thin run).</item>
/// <item>Inserts: each mineral insert is searched within ±<see cref="SearchMm"/> of its nominal place for the disc
/// (radius half the insert's) of highest mean; then all inserts, the water rod too, are placed by the rigid motion
/// that best maps the layout onto the found rods.</item>
/// <item>Readings: the voxels of a disc of 60 % of the insert's radius (80 % for water, which has no edge), clear of
/// partial volume and positioning error, over all slices but the first and last, as a 10 % trimmed mean.</item>
/// <item>Scale: offset = the water insert's reading; gain from the air in an annulus 8–20 mm outside the body (its
/// median, which clipping at the stored minimum does not move while under half the values are clipped):
/// gain = (water − air)/1000 − 1.</item>
/// <item>Line: least squares HU = intercept + slope·ρ over the inserts; residuals in mg/cm³. An insert off the line
/// by more than 3 × the others' RMS (and 5 mg/cm³) leaves a warning: air bubble, wrong insert file, or a cracked rod.</item>
/// </list>
/// </summary>
public static class PhantomScanReader
{
    public const double SearchMm = 12;

    /// <param name="hu">D × H × W, row-major, HU.</param>
    /// <param name="spacingMm">[slice, row, column] spacing.</param>
    public static PhantomKvpCalibration Read(float[] hu, int[] size, double[] spacingMm, PhantomLayout layout, int kvp,
        DateTimeOffset scannedAt, ICollection<string> warnings)
    {
        int depth = size[0], rows = size[1], columns = size[2];
        if (depth < 3) throw new InvalidDataException("the phantom scan needs at least 3 slices.");
        var slices = Enumerable.Range(1, depth - 2).ToArray();
        float At(int d, int h, int w) => hu[((long)d * rows + h) * columns + w];

        var (ch, cw) = BodyCentre(hu, size, spacingMm, layout);
        var found = new List<(PhantomInsert Insert, double H, double W)>();
        foreach (var insert in layout.Inserts.Where(i => i.DensityMgCm3 > 0))
        {
            var (h0, w0) = (ch + insert.YMm / spacingMm[1], cw + insert.XMm / spacingMm[2]);
            var best = (Mean: double.MinValue, H: h0, W: w0);
            var reach = SearchMm / spacingMm[1];
            for (var dh = -reach; dh <= reach; dh += 0.5)
            for (var dw = -reach; dw <= reach; dw += 0.5)
            {
                var m = DiscMean(h0 + dh, w0 + dw, insert.RadiusMm / 2);
                if (m > best.Mean) best = (m, h0 + dh, w0 + dw);
            }
            found.Add((insert, best.H, best.W));
        }
        if (found.Count == 0) throw new InvalidDataException("the insert file has no mineral insert.");
        // Each rod's brightest disc is pulled towards its noise; the rods are rigid with each other, so every insert
        // (the water rod too, invisible in water-equivalent material) is placed by the rotation and shift that best
        // map the nominal layout onto the found rods (least squares; a shift only with one rod).
        var place = RigidFit(found.Select(f => (f.Insert.XMm, f.Insert.YMm, (f.W - cw) * spacingMm[2], (f.H - ch) * spacingMm[1])).ToArray());
        var readings = layout.Inserts.Select(i =>
        {
            var (x, y) = place(i.XMm, i.YMm);
            return (Insert: i, Stats: Core(ch + y / spacingMm[1], cw + x / spacingMm[2], (i.DensityMgCm3 == 0 ? 0.8 : 0.6) * i.RadiusMm));
        }).ToList();
        var xs = readings.Select(r => r.Insert.DensityMgCm3).ToArray();
        var ys = readings.Select(r => r.Stats.Mean).ToArray();
        var (intercept, slope) = Line(xs, ys);
        if (!(slope > 0)) throw new InvalidDataException("the inserts' HU does not rise with density: wrong insert file or not a phantom scan.");
        var residuals = readings.Select(r => (r.Stats.Mean - intercept - slope * r.Insert.DensityMgCm3) / slope).ToArray();
        var rms = Math.Sqrt(residuals.Average(r => r * r));
        for (var i = 0; i < residuals.Length; i++)
        {
            var others = residuals.Where((_, j) => j != i).ToArray();
            var othersRms = Math.Sqrt(others.Average(r => r * r));
            if (Math.Abs(residuals[i]) > Math.Max(5, 3 * othersRms))
                warnings.Add(FormattableString.Invariant($"{kvp} kVp: insert '{readings[i].Insert.Name}' is {residuals[i]:+0.0;-0.0} mg/cm³ off the line (air bubble, cracked rod or wrong insert file?)"));
        }

        var water0 = readings.Where(r => r.Insert.DensityMgCm3 == 0).Select(r => r.Stats.Mean).DefaultIfEmpty(intercept).Average();
        var air = AirMedian(ch, cw);
        var gain = double.IsFinite(air) ? (water0 - air) / 1000 - 1 : 0;
        if (!double.IsFinite(air)) warnings.Add($"{kvp} kVp: no usable air around the phantom (outside the field of view, or mostly clipped): gain taken as 0");
        var scale = new HuScale(water0, gain);
        if (!scale.IsPlausible) warnings.Add($"{kvp} kVp: implausible scale ({scale}): check the series and the insert file");
        var inserts = readings.Select((r, i) => new PhantomInsertReading(r.Insert.Name, r.Insert.DensityMgCm3, r.Stats.Mean, r.Stats.Sd, r.Stats.Count, residuals[i])).ToArray();
        return new PhantomKvpCalibration(kvp, scale, intercept, slope, rms, inserts, scannedAt);

        double DiscMean(double h, double w, double radiusMm)
        {
            var s = Core(h, w, radiusMm, trimmed: false);
            return s.Count == 0 ? double.MinValue : s.Mean;
        }

        (double Mean, double Sd, int Count) Core(double h, double w, double radiusMm, bool trimmed = true)
        {
            var rh = radiusMm / spacingMm[1];
            var rw = radiusMm / spacingMm[2];
            var values = new List<float>();
            foreach (var d in slices)
            for (var y = (int)Math.Floor(h - rh); y <= (int)Math.Ceiling(h + rh); y++)
            for (var x = (int)Math.Floor(w - rw); x <= (int)Math.Ceiling(w + rw); x++)
            {
                if ((uint)y >= rows || (uint)x >= columns) continue;
                if (Math.Pow((y - h) / rh, 2) + Math.Pow((x - w) / rw, 2) > 1) continue;
                values.Add(At(d, y, x));
            }
            if (values.Count == 0) return (double.NaN, double.NaN, 0);
            values.Sort();
            var cut = trimmed ? values.Count / 10 : 0;
            var kept = values.Skip(cut).Take(values.Count - 2 * cut).ToArray();
            var mean = kept.Average(v => (double)v);
            var sd = Math.Sqrt(kept.Average(v => (v - mean) * (v - mean)));
            return (mean, sd, kept.Length);
        }

        // Air: an annulus 8–20 mm outside the body, inside any reconstruction circle a phantom scan is made with. Its
        // values are not filtered: a 12-bit scanner with intercept −1024 clips air below −1024, and the median is
        // still right while under half the values are clipped (clipping only moves values below it).
        double AirMedian(double h, double w)
        {
            double inner = layout.BodyRadiusMm + 8, outer = layout.BodyRadiusMm + 20;
            var values = new List<float>();
            foreach (var d in slices)
            for (var y = 0; y < rows; y++)
            for (var x = 0; x < columns; x++)
            {
                var dy = (y - h) * spacingMm[1];
                var dx = (x - w) * spacingMm[2];
                var r2 = dx * dx + dy * dy;
                if (r2 < inner * inner || r2 > outer * outer) continue;
                values.Add(At(d, y, x));
            }
            if (values.Count == 0) return double.NaN;
            values.Sort();
            var air = CensoredMean(values);
            return air is > -1100 and < -850 ? air : double.NaN;
        }
    }

    /// <summary>
    /// The mean of normally distributed values clipped from below at their minimum (a 12-bit scanner with intercept
    /// −1024 stores air under −1024 as −1024, and a scanner reading air at −1030 clips most of it): with under 2 %
    /// clipped, the median; otherwise from two quantiles above the clip, x_q = μ + σ·Φ⁻¹(q). NaN when over 95 % are clipped.
    /// </summary>
    internal static double CensoredMean(IReadOnlyList<float> sorted)
    {
        var clip = sorted[0];
        var clipped = sorted.Count(v => v == clip) / (double)sorted.Count;
        if (clipped < 0.02) return sorted[sorted.Count / 2];
        if (clipped > 0.95) return double.NaN;
        double q1 = clipped + (1 - clipped) / 3, q2 = clipped + 2 * (1 - clipped) / 3;
        double x1 = sorted[(int)(q1 * (sorted.Count - 1))], x2 = sorted[(int)(q2 * (sorted.Count - 1))];
        double z1 = InverseCdf(q1), z2 = InverseCdf(q2);
        var sigma = (x2 - x1) / (z2 - z1);
        return x2 - sigma * z2;
    }

    private static double InverseCdf(double p)
    {
        double low = -8, high = 8;
        for (var i = 0; i < 60; i++)
        {
            var mid = (low + high) / 2;
            if (Gaussian.Cdf(mid) < p) low = mid; else high = mid;
        }
        return (low + high) / 2;
    }

    /// <summary>The rotation and shift (least squares) taking nominal (x, y) to found (x, y); a shift only for one point.</summary>
    private static Func<double, double, (double X, double Y)> RigidFit((double Nx, double Ny, double Fx, double Fy)[] pairs)
    {
        double nx = pairs.Average(p => p.Nx), ny = pairs.Average(p => p.Ny), fx = pairs.Average(p => p.Fx), fy = pairs.Average(p => p.Fy);
        double dot = 0, cross = 0;
        foreach (var p in pairs)
        {
            double ax = p.Nx - nx, ay = p.Ny - ny, bx = p.Fx - fx, by = p.Fy - fy;
            dot += ax * bx + ay * by;
            cross += ax * by - ay * bx;
        }
        var angle = pairs.Length > 1 ? Math.Atan2(cross, dot) : 0;
        var (sin, cos) = Math.SinCos(angle);
        return (x, y) => (fx + cos * (x - nx) - sin * (y - ny), fy + sin * (x - nx) + cos * (y - ny));
    }

    /// <summary>Centre (row, column) of the phantom body: per middle slice, the widest run above −500 HU on rows and columns.</summary>
    private static (double H, double W) BodyCentre(float[] hu, int[] size, double[] spacingMm, PhantomLayout layout)
    {
        int rows = size[1], columns = size[2];
        var d = size[0] / 2;
        float At(int h, int w) => hu[((long)d * rows + h) * columns + w];
        // Rows: for each row, its longest run of body voxels; the body's widest rows are its centre rows.
        var bestRow = (Length: 0, Row: 0, Mid: 0.0);
        for (var h = 0; h < rows; h++)
        {
            var (length, mid) = LongestRun(columns, w => At(h, w) > -500);
            if (length > bestRow.Length) bestRow = (length, h, mid);
        }
        var bestColumn = (Length: 0, Column: 0, Mid: 0.0);
        for (var w = 0; w < columns; w++)
        {
            var (length, mid) = LongestRun(rows, h => At(h, w) > -500);
            if (length > bestColumn.Length) bestColumn = (length, w, mid);
        }
        var expected = 2 * layout.BodyRadiusMm;
        if (bestRow.Length * spacingMm[2] < 0.7 * expected || bestColumn.Length * spacingMm[1] < 0.7 * expected)
            throw new InvalidDataException(FormattableString.Invariant(
                $"no phantom body of {expected:0} mm diameter found (widest {bestRow.Length * spacingMm[2]:0} × {bestColumn.Length * spacingMm[1]:0} mm)."));
        return (bestColumn.Mid, bestRow.Mid);
    }

    private static (int Length, double Mid) LongestRun(int count, Func<int, bool> inside)
    {
        var best = (Length: 0, Mid: 0.0);
        var start = -1;
        for (var i = 0; i <= count; i++)
        {
            var isIn = i < count && inside(i);
            if (isIn && start < 0) start = i;
            if (!isIn && start >= 0)
            {
                if (i - start > best.Length) best = (i - start, (start + i - 1) / 2.0);
                start = -1;
            }
        }
        return best;
    }

    private static (double Intercept, double Slope) Line(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxx = 0, sxy = 0;
        for (var i = 0; i < x.Length; i++) { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my); }
        var slope = sxy / sxx;
        return (my - slope * mx, slope);
    }
}
