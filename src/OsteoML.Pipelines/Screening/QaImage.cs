using System.Globalization;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;
using OsteoML.Pipelines.Segmentation;
using SkiaSharp;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// The QA picture a radiologist checks at a glance: sagittal and coronal reformats through L1–L2 (bone window,
/// superior up, patient's right on the viewer's left), every segmented vertebral body tinted with its level name, the
/// L1/L2 ROIs outlined, and the per-level HU and BMD, the result, the site's calibration and the QA flags as text.
/// </summary>
public static class QaImage
{
    private const int PanelHeight = 620, Margin = 16, Header = 96, Footer = 60;
    private const double WindowLow = -300, WindowHigh = 1100;
    private const double SagittalFrontMm = 130, SagittalBackMm = 110, CoronalHalfWidthMm = 140;

    private static readonly SKColor L1Colour = new(0, 200, 255), L2Colour = new(255, 60, 200), OtherColour = new(255, 210, 0), UnnamedColour = new(160, 160, 160);

    public static byte[] Render(CtVolume volume, VertebraSegmentation segmentation, StudyResult result)
    {
        var hu = volume.Hu;
        var g = hu.Geometry;
        var centre = Centroid(segmentation, g, ["L1", "L2"]) ?? Centroid(segmentation, g, null) ?? g.IndexToWorld((g.Size.X - 1) / 2.0, (g.Size.Y - 1) / 2.0, (g.Size.Z - 1) / 2.0);
        var (lo, hi) = WorldBounds(g);
        var pixel = Math.Max((hi.Z - lo.Z) / PanelHeight, 0.25);
        // Sagittal: horizontal = patient Y (anterior → posterior), from the abdominal wall to behind the spinous
        // processes; coronal: horizontal = patient X (right → left), ribs to ribs. Both the scan's full height.
        var (front, back) = (Math.Max(lo.Y, centre.Y - SagittalFrontMm), Math.Min(hi.Y, centre.Y + SagittalBackMm));
        var (right, left) = (Math.Max(lo.X, centre.X - CoronalHalfWidthMm), Math.Min(hi.X, centre.X + CoronalHalfWidthMm));
        var sagittal = Reformat(hu, segmentation, p => new Vec3(centre.X, front + p.U * pixel, hi.Z - p.V * pixel), (int)((back - front) / pixel), PanelHeight);
        var coronal = Reformat(hu, segmentation, p => new Vec3(right + p.U * pixel, centre.Y, hi.Z - p.V * pixel), (int)((left - right) / pixel), PanelHeight);

        var width = Margin * 4 + sagittal.Width + coronal.Width + 300;
        var height = Header + PanelHeight + Footer;
        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(new SKColor(18, 18, 22));
        using var typeface = Fonts.Regular();
        using var bold = Fonts.Bold() ?? Fonts.Regular();
        using var title = new SKFont(bold, 26);
        using var text = new SKFont(typeface, 18);
        using var small = new SKFont(typeface, 15);
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var grey = new SKPaint { Color = new SKColor(190, 190, 190), IsAntialias = true };
        using var amber = new SKPaint { Color = new SKColor(255, 180, 0), IsAntialias = true };

        var headline = result.Bmd is { } bmd
            ? $"BMD {bmd:F1} mg/cm³ — {result.Class}"
            : $"No BMD: {result.Error ?? result.LevelReason ?? result.Status.Name()}";
        canvas.DrawText(headline, Margin, 36, SKTextAlign.Left, title, white);
        var probabilities = result.Probabilities is { } p ? $"P(normal / osteopenia / osteoporosis) = {p[0]:F2} / {p[1]:F2} / {p[2]:F2}   " : "";
        canvas.DrawText($"{probabilities}calibration: {result.CalibrationProfile ?? "none (global model)"}", Margin, 62, SKTextAlign.Left, text, grey);
        canvas.DrawText($"site {result.SiteKey}   series {result.SeriesInstanceUid}", Margin, 84, SKTextAlign.Left, small, grey);

        var x = Margin;
        DrawPanel(canvas, sagittal, x, Header, "sagittal", small, grey);
        x += sagittal.Width + Margin;
        DrawPanel(canvas, coronal, x, Header, "coronal", small, grey);
        x += coronal.Width + Margin * 2;

        // Level labels beside the coronal panel, at each body's height.
        var line = Header + 24;
        canvas.DrawText("levels (trabecular ROI)", x, line, SKTextAlign.Left, text, white);
        line += 28;
        foreach (var level in result.Levels)
        {
            using var paint = new SKPaint { Color = level.Level == "L1" ? L1Colour : L2Colour, IsAntialias = true };
            canvas.DrawText(level.Level, x, line, SKTextAlign.Left, title, paint);
            canvas.DrawText(level.MeanHu is { } m ? $"{m:F1} HU (median {level.MedianHu:F1})" : "not measured", x + 44, line - 6, SKTextAlign.Left, text, white);
            canvas.DrawText(level.BmdEstimate is { } b ? $"≈ {b:F1} mg/cm³, {level.VolumeCm3:F1} cm³" : "", x + 44, line + 14, SKTextAlign.Left, small, grey);
            line += 56;
        }
        foreach (var body in segmentation.Bodies.Where(b => b.Level is not null && result.Vertebrae.All(v => v.Level != b.Level) && b.Level is not "L1" and not "L2"))
        {
            canvas.DrawText($"{body.Level}: segmented", x, line, SKTextAlign.Left, small, grey);
            line += 20;
        }
        // Heights (anterior/middle/posterior) and Genant grade per vertebra; a fracture in amber.
        foreach (var v in result.Vertebrae)
        {
            var h = v.HeightsMm is { } m ? FormattableString.Invariant($"{m.Anterior:F0}/{m.Middle:F0}/{m.Posterior:F0} mm") : "no heights";
            var grade = v.GenantGrade is { } gg ? gg == 0 ? "grade 0" : $"grade {gg} {v.FractureShape?.ToString().ToLowerInvariant()}" : $"not graded: {v.Refusal}";
            canvas.DrawText($"{v.Level}: {h}, {grade}", x, line, SKTextAlign.Left, small, v.Fractured ? amber : grey);
            line += 20;
        }
        line += 10;
        canvas.DrawText("QA", x, line, SKTextAlign.Left, text, white);
        line += 24;
        if (result.QaFlags.Count == 0) canvas.DrawText("no flags", x, line, SKTextAlign.Left, small, grey);
        foreach (var flag in result.QaFlags)
        {
            canvas.DrawText(flag.Replace('_', ' '), x, line, SKTextAlign.Left, small, amber);
            line += 20;
        }
        canvas.DrawText($"segmentation: {result.LevelStatus} (confidence {(result.SegmentationConfidence is { } c ? c.ToString("F2", CultureInfo.InvariantCulture) : "–")}); slice thickness {result.SliceThicknessMm:F2} mm; {result.Kvp:F0} kVp",
            Margin, height - 24, SKTextAlign.Left, small, grey);

        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private sealed record Panel(int Width, int Height, SKBitmap Bitmap);

    private static Panel Reformat(Volume<float> hu, VertebraSegmentation s, Func<(int U, int V), Vec3> world, int width, int height)
    {
        width = Math.Max(8, width);
        var bitmap = new SKBitmap(width, height);
        var codes = new byte[width * height];
        for (var v = 0; v < height; v++)
        for (var u = 0; u < width; u++)
        {
            var index = hu.Geometry.WorldToIndex(world((u, v)));
            int i = (int)Math.Round(index.X), j = (int)Math.Round(index.Y), k = (int)Math.Round(index.Z);
            if (!hu.Size.Contains(i, j, k))
            {
                bitmap.SetPixel(u, v, SKColors.Black);
                continue;
            }
            var grey = (byte)Math.Clamp((hu[i, j, k] - WindowLow) / (WindowHigh - WindowLow) * 255, 0, 255);
            var code = s.NativeLevelAt(i, j, k);
            codes[v * width + u] = code;
            var colour = new SKColor(grey, grey, grey);
            if (code != 0) colour = Blend(colour, ColourOf(code), 0.35);
            bitmap.SetPixel(u, v, colour);
        }
        // Outline the L1 and L2 ROIs.
        var l1 = VertebraSegmentation.LevelCode("L1");
        var l2 = VertebraSegmentation.LevelCode("L2");
        for (var v = 1; v < height - 1; v++)
        for (var u = 1; u < width - 1; u++)
        {
            var c = codes[v * width + u];
            if (c != l1 && c != l2) continue;
            if (codes[v * width + u - 1] != c || codes[v * width + u + 1] != c || codes[(v - 1) * width + u] != c || codes[(v + 1) * width + u] != c)
                bitmap.SetPixel(u, v, ColourOf(c));
        }
        return new Panel(width, height, bitmap);
    }

    private static void DrawPanel(SKCanvas canvas, Panel panel, int x, int y, string label, SKFont font, SKPaint paint)
    {
        using var image = SKImage.FromBitmap(panel.Bitmap);
        canvas.DrawImage(image, x, y, new SKSamplingOptions(SKFilterMode.Nearest));
        canvas.DrawText(label, x + 6, y + 18, SKTextAlign.Left, font, paint);
        panel.Bitmap.Dispose();
    }

    private static SKColor ColourOf(byte code) => VertebraSegmentation.LevelName(code) switch
    {
        "L1" => L1Colour,
        "L2" => L2Colour,
        null => UnnamedColour,
        _ => OtherColour,
    };

    private static SKColor Blend(SKColor a, SKColor b, double t) => new(
        (byte)(a.Red * (1 - t) + b.Red * t), (byte)(a.Green * (1 - t) + b.Green * t), (byte)(a.Blue * (1 - t) + b.Blue * t));

    private static Vec3? Centroid(VertebraSegmentation s, VolumeGeometry g, IReadOnlyList<string>? levels)
    {
        var codes = levels?.Select(VertebraSegmentation.LevelCode).ToHashSet();
        var sum = Vec3.Zero;
        long n = 0;
        for (var k = s.NativeLo[2]; k <= s.NativeHi[2]; k++)
        for (var j = s.NativeLo[1]; j <= s.NativeHi[1]; j++)
        for (var i = s.NativeLo[0]; i <= s.NativeHi[0]; i++)
        {
            var c = s.NativeLevelAt(i, j, k);
            if (c == 0 || codes is not null && !codes.Contains(c)) continue;
            sum += g.IndexToWorld(i, j, k);
            n++;
        }
        return n == 0 ? null : sum / n;
    }

    private static (Vec3 Lo, Vec3 Hi) WorldBounds(VolumeGeometry g)
    {
        var corners = new[] { 0, g.Size.X - 1 }.SelectMany(i => new[] { 0, g.Size.Y - 1 }.SelectMany(j => new[] { 0, g.Size.Z - 1 }.Select(k => g.IndexToWorld(i, j, k)))).ToList();
        return (new Vec3(corners.Min(c => c.X), corners.Min(c => c.Y), corners.Min(c => c.Z)), new Vec3(corners.Max(c => c.X), corners.Max(c => c.Y), corners.Max(c => c.Z)));
    }

    /// <summary>
    /// DejaVu Sans from its file: the Linux Skia build we ship has no fontconfig and draws no text with the default
    /// typeface (OsteoML.Evaluation's PlotFonts does the same for ScottPlot). Debian: fonts-dejavu-core.
    /// </summary>
    private static class Fonts
    {
        private static readonly string[] Directories = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF", "/usr/local/share/fonts"];

        public static SKTypeface Regular() => Load("DejaVuSans.ttf")
            ?? throw new InvalidOperationException("no font for the QA image: install DejaVu Sans (Debian: apt-get install fonts-dejavu-core)");

        public static SKTypeface? Bold() => Load("DejaVuSans-Bold.ttf");

        private static SKTypeface? Load(string file) =>
            Directories.Select(d => Path.Combine(d, file)).Where(File.Exists).Select(SKTypeface.FromFile).FirstOrDefault(t => t is not null);
    }
}
