-- PersonElasticSearchSyncJob: every programme membership with its
-- programme and training number, by person, merged with the view rows in
-- C. The status (PAST/CURRENT/FUTURE) is computed in C from the dates.
SELECT pm.personId, pm.id, pm.programmeId, pr.programmeName, pr.programmeNumber, tn.trainingNumber,
       pm.programmeStartDate, pm.programmeEndDate
  FROM ProgrammeMembership pm
  LEFT JOIN Programme pr ON pr.id = pm.programmeId
  LEFT JOIN TrainingNumber tn ON tn.id = pm.trainingNumberId
 ORDER BY pm.personId, pm.id
