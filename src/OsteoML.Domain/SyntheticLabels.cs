using System.Text.Json;

namespace OsteoML.Domain;

/// <summary>
/// The label values of every synthetic label map, fixed across cases and versions: the generator writes them, the
/// backbones are trained on them and a reference segmentation reads a cohort's levels from them. Per-level labels sit in decades: 30 + level trabecular core, 40 + level cortical shell (with the
/// endplates), 50 + level posterior elements, 60 + level ribs (T10–T12), 70 + level the disc below the level.
/// </summary>
public static class SyntheticLabels
{
    public const byte Background = 0;
    public const byte Table = 1;
    public const byte Skin = 2;
    public const byte SubcutaneousFat = 3;
    public const byte WallMuscle = 4;
    public const byte VisceralFat = 5;
    public const byte Lung = 6;
    public const byte Liver = 7;
    public const byte Spleen = 8;
    public const byte Kidney = 9;
    public const byte Bowel = 10;
    public const byte BowelGas = 11;
    public const byte Aorta = 12;
    public const byte Ivc = 13;
    public const byte AorticCalcification = 14;
    public const byte Psoas = 15;
    public const byte ParaspinalMuscle = 16;
    public const byte SpinalCanal = 17;
    public const byte Sacrum = 18;
    public const byte Osteophyte = 19;
    public const byte Sclerosis = 20;
    public const byte SchmorlNode = 21;

    private const byte TrabecularBase = 30;
    private const byte CorticalBase = 40;
    private const byte PosteriorBase = 50;
    private const byte RibBase = 60;
    private const byte DiscBase = 70;

    public static byte Trabecular(VertebralLevel level) => (byte)(TrabecularBase + (int)level);
    public static byte Cortical(VertebralLevel level) => (byte)(CorticalBase + (int)level);
    public static byte PosteriorElements(VertebralLevel level) => (byte)(PosteriorBase + (int)level);

    public static byte Rib(VertebralLevel level) => level.HasRibs()
        ? (byte)(RibBase + (int)level)
        : throw new ArgumentOutOfRangeException(nameof(level), level, "Only T10–T12 carry ribs in the phantom.");

    /// <summary>The disc between <paramref name="level"/> and the one below (L5 → S1).</summary>
    public static byte DiscBelow(VertebralLevel level) => (byte)(DiscBase + (int)level);

    /// <summary>Value → name for every label, in value order.</summary>
    public static IReadOnlyDictionary<byte, string> Legend { get; } = BuildLegend();

    /// <summary>The legend as <c>labels.json</c>: an object from the value (as a string) to the name, in value order.</summary>
    public static string LegendJson() =>
        JsonSerializer.Serialize(Legend.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value),
            new JsonSerializerOptions { WriteIndented = true });

    private static SortedDictionary<byte, string> BuildLegend()
    {
        var legend = new SortedDictionary<byte, string>
        {
            [Background] = "background",
            [Table] = "table",
            [Skin] = "skin",
            [SubcutaneousFat] = "subcutaneous_fat",
            [WallMuscle] = "body_wall_muscle",
            [VisceralFat] = "visceral_fat",
            [Lung] = "lung",
            [Liver] = "liver",
            [Spleen] = "spleen",
            [Kidney] = "kidney",
            [Bowel] = "bowel",
            [BowelGas] = "bowel_gas",
            [Aorta] = "aorta",
            [Ivc] = "ivc",
            [AorticCalcification] = "aortic_calcification",
            [Psoas] = "psoas",
            [ParaspinalMuscle] = "paraspinal_muscle",
            [SpinalCanal] = "spinal_canal",
            [Sacrum] = "sacrum",
            [Osteophyte] = "osteophyte",
            [Sclerosis] = "sclerosis",
            [SchmorlNode] = "schmorl_node",
        };
        foreach (var level in VertebralLevels.All)
        {
            legend[Trabecular(level)] = $"{level}_trabecular";
            legend[Cortical(level)] = $"{level}_cortical";
            legend[PosteriorElements(level)] = $"{level}_posterior_elements";
            if (level.HasRibs())
                legend[Rib(level)] = $"{level}_rib";
            legend[DiscBelow(level)] = $"{level}_{level.NameBelow()}_disc";
        }
        return legend;
    }
}
