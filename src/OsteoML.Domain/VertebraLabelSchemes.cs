namespace OsteoML.Domain;

/// <summary>Level names of each <see cref="VertebraLabelScheme"/>'s label numbers, and the schemes' names on the command line.</summary>
public static class VertebraLabelSchemes
{
    private static readonly string[] Thoracic = Enumerable.Range(1, 12).Select(i => $"T{i}").ToArray();
    private static readonly string[] Lumbar = ["L1", "L2", "L3", "L4", "L5"];

    /// <summary>Label number → level name (C1 … L5, S1); labels of other structures are absent.</summary>
    public static IReadOnlyDictionary<int, string> Levels(VertebraLabelScheme scheme)
    {
        var map = new Dictionary<int, string>();
        switch (scheme)
        {
            case VertebraLabelScheme.TotalSegmentator:
                map[26] = "S1";
                for (var i = 0; i < 5; i++) map[27 + i] = Lumbar[4 - i];
                for (var i = 0; i < 12; i++) map[32 + i] = Thoracic[11 - i];
                for (var i = 0; i < 7; i++) map[44 + i] = $"C{7 - i}";
                break;
            case VertebraLabelScheme.Verse:
                for (var i = 0; i < 7; i++) map[1 + i] = $"C{i + 1}";
                for (var i = 0; i < 12; i++) map[8 + i] = Thoracic[i];
                for (var i = 0; i < 5; i++) map[20 + i] = Lumbar[i];
                break;
            default:
                throw new ArgumentException($"{scheme} has no label numbers: it is one file per level.", nameof(scheme));
        }
        return map;
    }

    /// <summary>File name of a level in a <see cref="VertebraLabelScheme.Files"/> folder (without extension).</summary>
    public static string FileStem(string level) => $"vertebrae_{level}";

    public static VertebraLabelScheme Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "total" or "totalsegmentator" => VertebraLabelScheme.TotalSegmentator,
        "verse" or "vertebrae_pp_refined" => VertebraLabelScheme.Verse,
        "files" => VertebraLabelScheme.Files,
        _ => throw new ArgumentException($"unknown label scheme '{text}': expected total (TotalSegmentator), verse (VerSe, vertebrae_pp_refined) or files."),
    };
}
