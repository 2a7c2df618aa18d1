using System.Collections.Frozen;
using System.Globalization;

namespace OsteoML.Dicom;

/// <summary>One data element of the registry of PS3.6.</summary>
/// <param name="ValueRepresentations">The allowed VRs; several for e.g. "US or SS" (the first is what implicit VR reads as).</param>
public sealed record DicomDictionaryEntry(DicomTag Tag, IReadOnlyList<DicomVR> ValueRepresentations, string ValueMultiplicity,
    string Keyword, bool IsRetired)
{
    public DicomVR ValueRepresentation => ValueRepresentations[0];
}

/// <summary>
/// The registry of data elements (PS3.6), loaded once from the embedded table that <c>Dictionary/generate.py</c>
/// writes. Implicit VR files need it to know each element's VR.
/// </summary>
public static class DicomDictionary
{
    private static readonly Lazy<Registry> Data = new(Load);

    /// <summary>The registered entry, including repeating groups such as overlays (60xx,3000); null for private or unknown tags.</summary>
    public static DicomDictionaryEntry? Lookup(DicomTag tag)
    {
        var data = Data.Value;
        if (data.Exact.TryGetValue(tag.Value, out var entry))
            return entry;
        foreach (var (mask, value, repeater) in data.Repeaters)
        {
            if ((tag.Value & mask) == value)
                return repeater with { Tag = tag };
        }
        return null;
    }

    public static DicomDictionaryEntry? LookupKeyword(string keyword) =>
        Data.Value.ByKeyword.TryGetValue(keyword, out var entry) ? entry : null;

    /// <summary>
    /// The VR an implicit VR stream means for this tag: the registry's, UL for group lengths, LO for private
    /// creators, UN for private and unknown elements.
    /// </summary>
    public static DicomVR ImplicitVR(DicomTag tag)
    {
        if (tag.IsGroupLength)
            return DicomVR.UL;
        if (tag.IsPrivate)
            return tag.IsPrivateCreator ? DicomVR.LO : DicomVR.UN;
        return Lookup(tag)?.ValueRepresentation ?? DicomVR.UN;
    }

    private sealed record Registry(
        FrozenDictionary<uint, DicomDictionaryEntry> Exact,
        FrozenDictionary<string, DicomDictionaryEntry> ByKeyword,
        (uint Mask, uint Value, DicomDictionaryEntry Entry)[] Repeaters);

    private static Registry Load()
    {
        using var stream = typeof(DicomDictionary).Assembly.GetManifestResourceStream("OsteoML.Dicom.dictionary.tsv")
                           ?? throw new InvalidOperationException("The DICOM dictionary resource is missing from OsteoML.Dicom.");
        using var reader = new StreamReader(stream);
        var exact = new Dictionary<uint, DicomDictionaryEntry>();
        var byKeyword = new Dictionary<string, DicomDictionaryEntry>(StringComparer.Ordinal);
        var repeaters = new List<(uint, uint, DicomDictionaryEntry)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#') || line.Length == 0)
                continue;
            var f = line.Split('\t');
            var vrs = f[1] switch
            {
                "NONE" => [],
                // OB or OW: implicit VR pixel data and friends are words (PS3.5 §A.1 c).
                "OB or OW" => new[] { DicomVR.OW, DicomVR.OB },
                _ => f[1].Split(" or ").Select(DicomVR.Parse).ToArray(),
            };
            if (vrs.Length == 0)
                vrs = [DicomVR.UN];
            var tagText = f[0];
            var mask = uint.Parse(string.Concat(tagText.Select(c => c == 'x' ? '0' : 'F')), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var value = uint.Parse(tagText.Replace('x', '0'), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var entry = new DicomDictionaryEntry(DicomTag.FromValue(value), vrs, f[2], f[3], f.Length > 4 && f[4] == "R");
            if (mask == 0xFFFFFFFF)
                exact[value] = entry;
            else
                repeaters.Add((mask, value, entry));
            if (entry.Keyword.Length > 0)
                byKeyword.TryAdd(entry.Keyword, entry);
        }
        return new Registry(exact.ToFrozenDictionary(), byKeyword.ToFrozenDictionary(StringComparer.Ordinal), repeaters.ToArray());
    }
}
