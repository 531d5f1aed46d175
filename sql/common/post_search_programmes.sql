-- PostElasticSearchSyncJob: each post's programmes (ProgrammePost) with
-- their names (NULL when the programme is missing), by post.
SELECT pp.postId, pp.programmeId, pr.programmeName
  FROM ProgrammePost pp
  LEFT JOIN Programme pr ON pr.id = pp.programmeId
 ORDER BY pp.postId
