using System.Globalization;
using OsteoML.Dicom;
using OsteoML.Dicom.Derived;
using OsteoML.Dicom.Sr;
using OsteoML.Pipelines.Screening;
using static OsteoML.Dicom.Sr.SrContentItem;
using static OsteoML.Dicom.Sr.SrRelationshipType;
using C = OsteoML.Pipelines.DicomOutputs.ScreeningCodes;

namespace OsteoML.Pipelines.DicomOutputs;

/// <summary>
/// A screening result as a Comprehensive SR following TID 1500 (Measurement Report): language, device observer
/// (osteoml and its bundle), procedure reported, an image library of the source slices the ROIs cover, and under Imaging
/// Measurements one TID 1411 volumetric ROI group per measured level (mean, median and SD of the trabecular HU, ROI
/// volume, the level's BMD estimate; the SEG segment it was measured in and its source series) and one TID 1501 group
/// for the study: BMD, the class and its probabilities, status, QA flags, the site calibration applied and the
/// algorithm identification (TID 4019: bundle name, osteoml version, hashes).
/// </summary>
public static class ScreeningReport
{
    public static DicomDataset Create(DicomDataset sourceHeader, DerivedInstance instance, StudyResult result, ResultProvenance provenance,
        IReadOnlyList<SourceImage> library, SegmentationReference? segmentation)
    {
        var root = Container(null, C.ImagingMeasurementReport,
            CodeItem(HasConceptModifier, C.LanguageOfContent, C.EnglishUnitedStates),
            CodeItem(HasObservationContext, C.ObserverType, C.Device),
            UidItem(HasObservationContext, C.DeviceObserverUid, DerivedUid.From("osteoml-device", provenance.BundleSha256)),
            TextItem(HasObservationContext, C.DeviceObserverName, "osteoml"),
            TextItem(HasObservationContext, C.DeviceObserverManufacturer, instance.Manufacturer),
            TextItem(HasObservationContext, C.DeviceObserverModelName, provenance.BundleName),
            CodeItem(HasConceptModifier, C.ProcedureReported, C.ComputerizedAxialTomography),
            Container(Contains, C.ImageLibrary,
                Container(Contains, C.ImageLibraryGroup, library.Select(s => ImageItem(Contains, null, new SrReference(s.SopClassUid, s.SopInstanceUid, FrameNumber: s.FrameNumber))))),
            Container(Contains, C.ImagingMeasurements, [.. LevelGroups(result, provenance, segmentation), StudyGroup(result, provenance)]));

        var ds = DerivedHeader.Create(sourceHeader, instance);
        ds.Add(DicomTag.CodingSchemeIdentificationSequence, PrivateSchemeItem());
        ds.Add(DicomTag.ReferencedPerformedProcedureStepSequence, Array.Empty<DicomDataset>());
        ds.Add(DicomTag.CompletionFlag, "COMPLETE");
        ds.Add(DicomTag.VerificationFlag, "UNVERIFIED");
        var template = new DicomDataset();
        template.Add(DicomTag.MappingResource, "DCMR");
        template.Add(DicomTag.TemplateIdentifier, "1500");
        ds.Add(DicomTag.ContentTemplateSequence, template);
        var studyUid = sourceHeader.GetString(DicomTag.StudyInstanceUID);
        var sourceSeries = sourceHeader.GetString(DicomTag.SeriesInstanceUID);
        var evidence = library.Select(s => (studyUid, sourceSeries, s.SopClassUid, s.SopInstanceUid)).ToList();
        if (segmentation is not null)
            evidence.Add((studyUid, segmentation.SeriesInstanceUid, DerivedSopClass.SegmentationStorage, segmentation.SopInstanceUid));
        ds.Add(DicomTag.CurrentRequestedProcedureEvidenceSequence, DerivedHeader.Evidence(evidence));
        ds.Add(DicomTag.PerformedProcedureCodeSequence, Array.Empty<DicomDataset>());
        root.WriteRoot(ds);
        return ds;
    }

    private static DicomDataset PrivateSchemeItem()
    {
        var item = new DicomDataset();
        item.Add(DicomTag.CodingSchemeDesignator, C.PrivateScheme);
        item.Add(DicomTag.CodingSchemeName, "OsteoML screening result concepts");
        item.Add(DicomTag.CodingSchemeVersion, "1");
        item.Add(DicomTag.CodingSchemeResponsibleOrganization, "OsteoML project");
        return item;
    }

    private static IEnumerable<SrContentItem> LevelGroups(StudyResult result, ResultProvenance provenance, SegmentationReference? segmentation)
    {
        foreach (var level in result.Levels.Where(l => l.MeanHu is not null))
        {
            var group = Container(Contains, C.MeasurementGroup,
                TextItem(HasObservationContext, C.TrackingIdentifier, $"{level.Level} trabecular ROI"),
                UidItem(HasObservationContext, C.TrackingUniqueIdentifier, DerivedUid.From("tracking", result.SeriesInstanceUid, provenance.BundleSha256, level.Level)),
                CodeItem(Contains, C.Finding, C.Bone));
            if (segmentation is not null && segmentation.RoiSegments.TryGetValue(level.Level, out var segment))
                group.With(ImageItem(Contains, C.ReferencedSegment, new SrReference(DerivedSopClass.SegmentationStorage, segmentation.SopInstanceUid, SegmentNumber: segment)));
            group.With(UidItem(Contains, C.SourceSeriesForSegmentation, result.SeriesInstanceUid),
                CodeItem(HasConceptModifier, C.FindingSite, C.Vertebra(level.Level)));
            group.With([.. Hu(level.MeanHu, C.Mean), .. Hu(level.MedianHu, C.Median), .. Hu(level.SdHu, C.StandardDeviation)]);
            if (level.VolumeCm3 is { } volume)
                group.With(NumItem(Contains, C.Volume, volume, C.CubicCentimeter));
            if (level.BmdEstimate is { } bmd)
                group.With(NumItem(Contains, C.LevelBmdEstimate, bmd, C.MilligramPerCubicCentimeter));
            yield return group;
        }

        IEnumerable<SrContentItem> Hu(double? value, DicomCodeItem derivation) => value is { } v
            ? [NumItem(Contains, C.AttenuationCoefficient, v, C.HounsfieldUnit).With(CodeItem(HasConceptModifier, C.Derivation, derivation))]
            : [];
    }

    private static SrContentItem StudyGroup(StudyResult result, ResultProvenance provenance)
    {
        var group = Container(Contains, C.MeasurementGroup,
            TextItem(HasObservationContext, C.TrackingIdentifier, "L1-L2 bone density screening"),
            UidItem(HasObservationContext, C.TrackingUniqueIdentifier, DerivedUid.From("tracking", result.SeriesInstanceUid, provenance.BundleSha256, "study")),
            CodeItem(Contains, C.Finding, C.Bone),
            CodeItem(HasConceptModifier, C.FindingSite, C.LumbarSpine),
            CodeItem(Contains, C.ScreeningStatus, C.Status(result.Status)));
        if (result.Bmd is { } bmd)
            group.With(NumItem(Contains, C.VolumetricBmd, bmd, C.MilligramPerCubicCentimeter));
        if (result.GlobalBmd is { } global)
            group.With(NumItem(Contains, C.GlobalModelBmd, global, C.MilligramPerCubicCentimeter));
        if (result.Class is { } cls)
            group.With(CodeItem(Contains, C.AcrCategory, C.AcrClass(cls)));
        if (result.Probabilities is { Count: 3 } p)
        {
            string[] classes = ["normal", "osteopenia", "osteoporosis"];
            for (var i = 0; i < 3; i++)
                group.With(NumItem(Contains, C.Probability, p[i], C.NoUnits).With(CodeItem(HasConceptModifier, C.AcrCategory, C.AcrClass(classes[i]))));
        }
        foreach (var flag in result.QaFlags)
            group.With(CodeItem(Contains, C.QaFlag, C.Flag(flag)));
        group.With(TextItem(Contains, C.SiteKey, result.SiteKey.Length > 0 ? result.SiteKey : "unknown"),
            TextItem(Contains, C.SiteCalibration, result.CalibrationProfile ?? "none (global model)"));
        if (result.CalibrationNote is { Length: > 0 } note)
            group.With(TextItem(Contains, C.Comment, note));
        if (result.Error is { Length: > 0 } error)
            group.With(TextItem(Contains, C.Comment, error));
        group.With(TextItem(Contains, C.BundleSha256, provenance.BundleSha256),
            TextItem(Contains, C.ModelSha256, provenance.ModelSha256),
            TextItem(Contains, C.SegmentationModelSha256, provenance.SegmentationModelSha256),
            TextItem(Contains, C.ResultSchemaVersion, ResultProvenance.ResultSchemaVersion.ToString(CultureInfo.InvariantCulture)),
            TextItem(HasConceptModifier, C.AlgorithmName, provenance.BundleName),
            TextItem(HasConceptModifier, C.AlgorithmVersion, provenance.OsteomlVersion),
            TextItem(HasConceptModifier, C.AlgorithmParameters, $"bundle sha256 {provenance.BundleSha256}; {provenance.IntendedUse ?? "research use, not for diagnosis"}"));
        return group;
    }
}
