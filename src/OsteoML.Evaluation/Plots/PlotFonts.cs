using ScottPlot;

namespace OsteoML.Evaluation.Plots;

/// <summary>
/// Makes plot text render. The self-contained Linux Skia build has no fontconfig, so it finds no system
/// font and silently draws no text; we register DejaVu Sans (Debian's fonts-dejavu-core) from its file.
/// Elsewhere the platform's font manager already supplies a default font.
/// </summary>
internal static class PlotFonts
{
    public const string Family = "DejaVu Sans";

    private static readonly string[] Directories =
        ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF", "/usr/local/share/fonts"];

    private static readonly Lazy<string> Resolved = new(Resolve);

    /// <summary>The font family plots use; throws when no font is available (install fonts-dejavu-core).</summary>
    public static string Name => Resolved.Value;

    private static string Resolve()
    {
        var regular = Directories.Select(d => Path.Combine(d, "DejaVuSans.ttf")).FirstOrDefault(File.Exists);
        if (regular is not null)
        {
            Fonts.AddFontFile(Family, regular, bold: false, italic: false);
            var bold = Path.Combine(Path.GetDirectoryName(regular)!, "DejaVuSans-Bold.ttf");
            if (File.Exists(bold))
                Fonts.AddFontFile(Family, bold, bold: true, italic: false);
            return Family;
        }
        var platformDefault = Fonts.Default;
        return string.IsNullOrEmpty(platformDefault)
            ? throw new InvalidOperationException("no font for plot text: install DejaVu Sans (Debian: apt-get install fonts-dejavu-core)")
            : platformDefault;
    }
}
