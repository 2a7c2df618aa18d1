namespace OsteoML.Dicom.Sr;

/// <summary>
/// A coded concept (PS3.3 §8.8, Basic Coded Entry Attributes): code value, coding scheme designator and code meaning,
/// e.g. <c>(66794005, SCT, "L1 vertebra")</c>. Values over 16 characters go to Long Code Value (PS3.3 §8.8.1.1).
/// </summary>
public sealed record DicomCodeItem(string Value, string Scheme, string Meaning)
{
    /// <summary>The item of a code sequence (Concept Name, Concept Code, Measurement Units, Segmented Property … Code Sequence).</summary>
    public DicomDataset ToDataset()
    {
        var item = new DicomDataset();
        item.Add(Value.Length > 16 ? DicomTag.LongCodeValue : DicomTag.CodeValue, Value);
        item.Add(DicomTag.CodingSchemeDesignator, Scheme);
        item.Add(DicomTag.CodeMeaning, Meaning);
        return item;
    }

    /// <summary>Reads a code sequence's item back (either code value form).</summary>
    public static DicomCodeItem From(DicomDataset item) => new(
        item.GetStringOrDefault(DicomTag.CodeValue) ?? item.GetStringOrDefault(DicomTag.LongCodeValue) ?? "",
        item.GetStringOrDefault(DicomTag.CodingSchemeDesignator, "")!,
        item.GetStringOrDefault(DicomTag.CodeMeaning, "")!);

    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}
