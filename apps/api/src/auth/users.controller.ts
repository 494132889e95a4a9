import { Body, Controller, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import {
  ADMIN_ROLES,
  createUserRequestSchema,
  updateUserRequestSchema,
  userSchema,
  type CreateUserRequest,
  type PasswordResetResponse,
  type UnlockUserResponse,
  type UpdateUserRequest,
  type User,
  type UserList,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { Allow, CurrentActor, type ActorContext } from './decorators';
import { SessionAuthGuard } from './session-auth.guard';
import { UsersService } from './users.service';

/** Users, for admins (DESIGN.md "Roles"). */
@Controller('api/users')
@UseGuards(SessionAuthGuard)
@Allow(...ADMIN_ROLES)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async list(): Promise<UserList> {
    return { users: await this.users.list() };
  }

  @Post()
  create(
    @CurrentActor() caller: ActorContext,
    @Body(new ZodValidationPipe(createUserRequestSchema)) body: CreateUserRequest,
  ): Promise<User> {
    return this.users.create(caller, body);
  }

  @Patch(':id')
  update(
    @CurrentActor() caller: ActorContext,
    @Param('id', new ZodValidationPipe(userSchema.shape.userId)) userId: string,
    @Body(new ZodValidationPipe(updateUserRequestSchema)) body: UpdateUserRequest,
  ): Promise<User> {
    return this.users.update(caller, userId, body);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  unlock(
    @CurrentActor() caller: ActorContext,
    @Param('id', new ZodValidationPipe(userSchema.shape.userId)) userId: string,
  ): Promise<UnlockUserResponse> {
    return this.users.unlock(caller, userId);
  }

  @Post(':id/password-reset')
  @HttpCode(200)
  resetPassword(
    @CurrentActor() caller: ActorContext,
    @Param('id', new ZodValidationPipe(userSchema.shape.userId)) userId: string,
  ): Promise<PasswordResetResponse> {
    return this.users.resetPassword(caller, userId);
  }
}
