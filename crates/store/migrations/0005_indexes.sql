-- Indexes the load benchmarks showed missing: a review's participants (read by every mailing
-- batch, list and count), and a mailing's messages by participant (where a mailing resumes).
CREATE INDEX participants_by_review ON participants (review_id, id);
CREATE INDEX outbox_by_job_participant ON outbox (job_id, participant_id);
