namespace OsteoML.Dicom.Sr;

/// <summary>Relationship Type (0040,A010) between a content item and its parent (PS3.3 §C.17.3.2.4).</summary>
public enum SrRelationshipType
{
    Contains,
    HasProperties,
    HasConceptModifier,
    HasObservationContext,
    HasAcquisitionContext,
    InferredFrom,
    SelectedFrom,
}
