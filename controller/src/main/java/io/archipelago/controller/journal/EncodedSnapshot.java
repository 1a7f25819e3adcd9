package io.archipelago.controller.journal;

import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchSpec;

/**
 * A snapshot as the journal takes it: the search's ops as bytes, already in the form a
 * {@link SearchSnapshot} holds them (the entries of every step's body, retagged:
 * {@link StepWriter#snapshotOps}), written as a {@link SearchSnapshot} ({@link StepWriter#snapshot})
 * and read back as one.
 *
 * @param spec null before the search-created event
 * @param ops the ops' entries, end to end; not copied (the array is the caller's to drop)
 */
public record EncodedSnapshot(SearchSpec spec, byte[] ops, boolean finished, String stopReason, int resumes) {}
