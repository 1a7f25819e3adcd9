package io.archipelago.controller.journal;

import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchStep;
import java.util.List;

/**
 * A snapshot as the journal takes it: the search's steps still as the bytes they were journaled
 * as (bodies of {@link SearchStep}s, end to end; the journal keeps them so, not as ops), written
 * as a {@link SearchSnapshot} ({@link StepWriter#snapshot}) and read back as one.
 *
 * @param spec null before the search-created event
 */
public record EncodedSnapshot(SearchSpec spec, List<byte[]> steps, boolean finished, String stopReason, int resumes) {}
