// Plate reading for the detector pipeline: localise + read per vehicle crop, vote per track.
export { createPlateReader, DEFAULT_MIN_CONFIDENCE, DEFAULT_PLATE_MODEL, PLATE_PASS_CONFIDENCE, type PlateReader, type PlateReaderOptions } from './reader';
export { voteTrackPlate, type VoteOptions, type VotedTrackPlate } from './vote';
export { localisePlates, type PlateCandidate } from './localise';
export { blurImage, rasteriseSvg } from './rasterise';
export { classifyPlateColour } from './colour';
export { plateCategory } from '@phatnguoi/core/plates/format';
