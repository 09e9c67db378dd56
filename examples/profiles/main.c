/* profiles: OneToOneField, unique on both sides. */
#include "profiles.h"

#include <stdio.h>

int main(void)
{
    profiles_store *db = profiles_store_new();
    User *ann = User_new(db), *bob = User_new(db);
    Profile *p = Profile_new(db, ann);
    rel_status st;

    User_set_name(ann, "ann");
    User_set_name(bob, "bob");
    printf("ann's profile: %s\n", Profile_bio(User_profile(ann)));
    printf("bob's profile: %s\n", User_profile(bob) ? "yes" : "none");

    /* A second profile for ann is refused, and so is moving p onto a user
     * that has one; moving it to bob is fine. */
    printf("second profile for ann: %s\n", Profile_new(db, ann) ? "made" : profiles_store_errmsg(db));
    Profile_new(db, bob);
    printf("move to bob: %s\n", rel_strerror(Profile_set_user(p, bob)));
    User_delete(bob);                         /* cascades to bob's profile */
    printf("move to ann again: %s\n", rel_strerror(Profile_set_user(p, ann)));
    Profile_set_bio(p, "writes C");
    printf("ann's profile: %s; profiles %zu\n", Profile_bio(User_profile(ann)), Profile_count(db));
    st = User_delete(ann);
    printf("delete ann: %s; profiles %zu\n", rel_strerror(st), Profile_count(db));
    printf("verify: %s\n", rel_strerror(profiles_store_verify(db)));
    profiles_store_free(db);
    return 0;
}
