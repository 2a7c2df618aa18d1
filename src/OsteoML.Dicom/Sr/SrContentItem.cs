using System.Globalization;

namespace OsteoML.Dicom.Sr;

/// <summary>
/// One node of an SR content tree (PS3.3 §C.17.3, Document Content Macro and Document Relationship Macro): a value
/// type, a concept name, its value and its children. <see cref="ToDataset"/> gives the Content Sequence item; the root
/// (a CONTAINER without relationship) is written into the document's top level by <see cref="WriteRoot"/>.
/// </summary>
public sealed class SrContentItem
{
    private SrContentItem(SrValueType valueType, SrRelationshipType? relationship, DicomCodeItem? conceptName)
    {
        ValueType = valueType;
        Relationship = relationship;
        ConceptName = conceptName;
    }

    public SrValueType ValueType { get; }
    /// <summary>Null only for the root container.</summary>
    public SrRelationshipType? Relationship { get; }
    /// <summary>Null only for an IMAGE item that names no concept.</summary>
    public DicomCodeItem? ConceptName { get; }
    public string? Text { get; private init; }
    public DicomCodeItem? Code { get; private init; }
    public double? Number { get; private init; }
    public DicomCodeItem? Units { get; private init; }
    public string? Uid { get; private init; }
    public SrReference? Reference { get; private init; }
    public List<SrContentItem> Children { get; } = [];

    public static SrContentItem Container(SrRelationshipType? relationship, DicomCodeItem concept, params IEnumerable<SrContentItem> children)
    {
        var item = new SrContentItem(SrValueType.Container, relationship, concept);
        item.Children.AddRange(children);
        return item;
    }

    public static SrContentItem TextItem(SrRelationshipType relationship, DicomCodeItem concept, string text) =>
        new(SrValueType.Text, relationship, concept) { Text = text };

    public static SrContentItem CodeItem(SrRelationshipType relationship, DicomCodeItem concept, DicomCodeItem code) =>
        new(SrValueType.Code, relationship, concept) { Code = code };

    public static SrContentItem NumItem(SrRelationshipType relationship, DicomCodeItem concept, double value, DicomCodeItem units) =>
        new(SrValueType.Num, relationship, concept) { Number = double.IsFinite(value) ? value : throw new ArgumentException($"{concept.Meaning}: {value} is not a number an SR can hold."), Units = units };

    public static SrContentItem UidItem(SrRelationshipType relationship, DicomCodeItem concept, string uid) =>
        new(SrValueType.UidRef, relationship, concept) { Uid = uid };

    public static SrContentItem ImageItem(SrRelationshipType relationship, DicomCodeItem? concept, SrReference reference) =>
        new(SrValueType.Image, relationship, concept) { Reference = reference };

    public static SrContentItem CompositeItem(SrRelationshipType relationship, DicomCodeItem concept, SrReference reference) =>
        new(SrValueType.Composite, relationship, concept) { Reference = reference };

    public SrContentItem With(params IEnumerable<SrContentItem> children)
    {
        Children.AddRange(children);
        return this;
    }

    /// <summary>Writes the root container's value type, concept name, continuity and children into the document dataset.</summary>
    public void WriteRoot(DicomDataset document)
    {
        if (ValueType != SrValueType.Container || Relationship is not null)
            throw new InvalidOperationException("The root of an SR document is a CONTAINER without a relationship type.");
        WriteBody(document);
    }

    /// <summary>The item of the parent's Content Sequence.</summary>
    public DicomDataset ToDataset()
    {
        var item = new DicomDataset();
        item.Add(DicomTag.RelationshipType, RelationshipCode(Relationship ?? throw new InvalidOperationException("Only the root has no relationship type.")));
        WriteBody(item);
        return item;
    }

    private void WriteBody(DicomDataset item)
    {
        item.Add(DicomTag.ValueType, ValueTypeCode(ValueType));
        // An IMAGE item selected by its reference alone may have no concept name (PS3.3 §C.17.3.2.2, Type 1C).
        if (ConceptName is not null)
            item.Add(DicomTag.ConceptNameCodeSequence, ConceptName.ToDataset());
        switch (ValueType)
        {
            case SrValueType.Container:
                item.Add(DicomTag.ContinuityOfContent, "SEPARATE");
                break;
            case SrValueType.Text:
                item.Add(DicomTag.TextValue, Text!);
                break;
            case SrValueType.Code:
                item.Add(DicomTag.ConceptCodeSequence, Code!.ToDataset());
                break;
            case SrValueType.UidRef:
                item.Add(DicomTag.UID, Uid!);
                break;
            case SrValueType.Num:
                var measured = new DicomDataset();
                measured.Add(DicomTag.MeasurementUnitsCodeSequence, Units!.ToDataset());
                measured.Add(DicomTag.NumericValue, Number!.Value);
                // The exact binary value beside the decimal string (Floating Point Value, PS3.3 Table C.18.1-1).
                measured.Add(DicomTag.FloatingPointValue, Number.Value);
                item.Add(DicomTag.MeasuredValueSequence, measured);
                break;
            case SrValueType.Image or SrValueType.Composite:
                item.Add(DicomTag.ReferencedSOPSequence, Reference!.ToDataset());
                break;
        }
        if (Children.Count > 0)
            item.Add(DicomTag.ContentSequence, [.. Children.Select(c => c.ToDataset())]);
    }

    private static string ValueTypeCode(SrValueType type) => type switch
    {
        SrValueType.Container => "CONTAINER",
        SrValueType.Text => "TEXT",
        SrValueType.Code => "CODE",
        SrValueType.Num => "NUM",
        SrValueType.UidRef => "UIDREF",
        SrValueType.Image => "IMAGE",
        SrValueType.Composite => "COMPOSITE",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static string RelationshipCode(SrRelationshipType type) => type switch
    {
        SrRelationshipType.Contains => "CONTAINS",
        SrRelationshipType.HasProperties => "HAS PROPERTIES",
        SrRelationshipType.HasConceptModifier => "HAS CONCEPT MOD",
        SrRelationshipType.HasObservationContext => "HAS OBS CONTEXT",
        SrRelationshipType.HasAcquisitionContext => "HAS ACQ CONTEXT",
        SrRelationshipType.InferredFrom => "INFERRED FROM",
        SrRelationshipType.SelectedFrom => "SELECTED FROM",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ValueType} {ConceptName}");
}
