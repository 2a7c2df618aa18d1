using OsteoML.Dicom.Sr;

namespace OsteoML.Dicom.Seg;

/// <summary>
/// One item of the Segment Sequence (PS3.3 §C.8.20.2, Segment Description Macro): number, label, what was segmented
/// (Segmented Property Category and Type, e.g. <c>(91723000, SCT, "Anatomical Structure")</c> /
/// <c>(66794005, SCT, "L1 vertebra")</c>), where (Anatomic Region) and how.
/// </summary>
public sealed record SegmentDescription
{
    public required int Number { get; init; }
    public required string Label { get; init; }
    public string? Description { get; init; }
    public required DicomCodeItem Category { get; init; }
    public required DicomCodeItem Type { get; init; }
    /// <summary>Narrows the type (Segmented Property Type Modifier Code Sequence, nested in the type's item).</summary>
    public DicomCodeItem? TypeModifier { get; init; }
    public DicomCodeItem? AnatomicRegion { get; init; }
    public required SegmentAlgorithmType AlgorithmType { get; init; }
    /// <summary>Required unless the segment was drawn by hand (Type 1C).</summary>
    public string? AlgorithmName { get; init; }
    /// <summary>CIELab scaled to 0–65535 (PS3.3 §C.10.7.1.1), for viewers' default colour.</summary>
    public IReadOnlyList<ushort>? RecommendedDisplayCieLab { get; init; }

    public DicomDataset ToDataset()
    {
        var item = new DicomDataset();
        if (AnatomicRegion is not null)
            item.Add(DicomTag.AnatomicRegionSequence, AnatomicRegion.ToDataset());
        item.Add(DicomTag.SegmentedPropertyCategoryCodeSequence, Category.ToDataset());
        item.Add(DicomTag.SegmentNumber, (ushort)Number);
        item.Add(DicomTag.SegmentLabel, Label);
        if (Description is not null)
            item.Add(DicomTag.SegmentDescription, Description);
        item.Add(DicomTag.SegmentAlgorithmType, AlgorithmType switch
        {
            SegmentAlgorithmType.Automatic => "AUTOMATIC",
            SegmentAlgorithmType.SemiAutomatic => "SEMIAUTOMATIC",
            _ => "MANUAL",
        });
        if (AlgorithmType != SegmentAlgorithmType.Manual)
            item.Add(DicomTag.SegmentAlgorithmName, AlgorithmName ?? throw new InvalidOperationException($"segment {Number}: an algorithm's segment needs its algorithm name."));
        if (RecommendedDisplayCieLab is { Count: 3 } lab)
            item.Add(DicomTag.RecommendedDisplayCIELabValue, lab.ToArray());
        var type = Type.ToDataset();
        if (TypeModifier is not null)
            type.Add(DicomTag.SegmentedPropertyTypeModifierCodeSequence, TypeModifier.ToDataset());
        item.Add(DicomTag.SegmentedPropertyTypeCodeSequence, type);
        return item;
    }

    /// <summary>Reads a Segment Sequence item back (codes and label; the algorithm type).</summary>
    public static SegmentDescription From(DicomDataset item) => new()
    {
        Number = item.GetSingleValue<int>(DicomTag.SegmentNumber),
        Label = item.GetStringOrDefault(DicomTag.SegmentLabel, "")!,
        Description = item.GetStringOrDefault(DicomTag.SegmentDescription),
        Category = DicomCodeItem.From(item.GetSequence(DicomTag.SegmentedPropertyCategoryCodeSequence).Items[0]),
        Type = DicomCodeItem.From(item.GetSequence(DicomTag.SegmentedPropertyTypeCodeSequence).Items[0]),
        TypeModifier = item.GetSequence(DicomTag.SegmentedPropertyTypeCodeSequence).Items[0].TryGetSequence(DicomTag.SegmentedPropertyTypeModifierCodeSequence, out var modifier)
                       && modifier.Items.Count > 0 ? DicomCodeItem.From(modifier.Items[0]) : null,
        AnatomicRegion = item.TryGetSequence(DicomTag.AnatomicRegionSequence, out var region) && region.Items.Count > 0 ? DicomCodeItem.From(region.Items[0]) : null,
        AlgorithmType = item.GetStringOrDefault(DicomTag.SegmentAlgorithmType) switch
        {
            "AUTOMATIC" => SegmentAlgorithmType.Automatic,
            "SEMIAUTOMATIC" => SegmentAlgorithmType.SemiAutomatic,
            _ => SegmentAlgorithmType.Manual,
        },
        AlgorithmName = item.GetStringOrDefault(DicomTag.SegmentAlgorithmName),
    };
}
